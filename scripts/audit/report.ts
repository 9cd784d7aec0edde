// What `npm audit --json` printed, read and described for scripts/audit.ts.

export const FAILING_SEVERITIES = ['high', 'critical'] as const

export type TFinding = { name: string; severity: string; range: string; advisories: string[]; fix: string }
export type TAuditOutcome =
  | { kind: 'clean'; counts: Record<string, number>; dependencies: number | null }
  | { kind: 'vulnerable'; findings: TFinding[] }
  | { kind: 'unreachable'; reason: string }

type TVia = string | { title?: string; url?: string; severity?: string; range?: string }
type TVulnerability = {
  name?: string
  severity?: string
  range?: string
  via?: TVia[]
  fixAvailable?: boolean | { name: string; version: string; isSemVerMajor?: boolean }
}

function fixOf(v: TVulnerability): string {
  const f = v.fixAvailable
  if (f === true) return 'npm audit fix'
  if (f && typeof f === 'object')
    return `npm audit fix${f.isSemVerMajor ? ' --force' : ''} (installs ${f.name}@${f.version}${f.isSemVerMajor ? ', a major upgrade' : ''})`
  return 'no fixed version yet: an "overrides" entry or a replacement (docs/security.md)'
}

/** What `npm audit --json` printed, read: its report, or why there is none. */
export function readAudit(stdout: string, stderr = ''): TAuditOutcome {
  let report: {
    auditReportVersion?: number
    vulnerabilities?: Record<string, TVulnerability>
    metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } }
    message?: string
    error?: { summary?: string; detail?: string }
  }
  try {
    report = JSON.parse(stdout)
  } catch {
    const said = (stderr || stdout).trim().split('\n').filter(Boolean).slice(-3).join(' / ')
    return { kind: 'unreachable', reason: said || 'npm audit printed no report' }
  }
  if (report.auditReportVersion === undefined || !report.vulnerabilities) {
    const reason = [report.message, report.error?.summary, report.error?.detail].filter(Boolean).join(' — ')
    return { kind: 'unreachable', reason: reason || 'npm audit answered without a report' }
  }
  const findings = Object.entries(report.vulnerabilities)
    .filter(([, v]) => (FAILING_SEVERITIES as readonly string[]).includes(v.severity ?? ''))
    .map(([name, v]) => ({
      name,
      severity: v.severity!,
      range: v.range ?? '',
      // A package can be vulnerable through another one (via names it); the advisories are the objects.
      advisories: (v.via ?? []).map((x) => (typeof x === 'string' ? `through ${x}` : `${x.title ?? 'advisory'}${x.url ? ` (${x.url})` : ''}`)),
      fix: fixOf(v),
    }))
  if (findings.length) return { kind: 'vulnerable', findings }
  return { kind: 'clean', counts: report.metadata?.vulnerabilities ?? {}, dependencies: report.metadata?.dependencies?.prod ?? null }
}

export function describe(o: TAuditOutcome): string {
  switch (o.kind) {
    case 'clean': {
      const below = Object.entries(o.counts)
        .filter(([k, n]) => k !== 'total' && n > 0)
        .map(([k, n]) => `${n} ${k}`)
      return `npm audit: no high or critical vulnerability in the production dependencies${o.dependencies !== null ? ` (${o.dependencies} packages)` : ''}${below.length ? `; below that: ${below.join(', ')}` : ''}`
    }
    case 'vulnerable':
      return [
        `npm audit: ${o.findings.length} production ${o.findings.length === 1 ? 'dependency has' : 'dependencies have'} a high or critical vulnerability:`,
        ...o.findings.map((f) => `  ${f.name} ${f.range} — ${f.severity}\n    ${f.advisories.join('\n    ')}\n    fix: ${f.fix}`),
        'See docs/security.md ("When the audit fails").',
      ].join('\n')
    case 'unreachable':
      return [
        "npm audit COULD NOT RUN: the registry's advisory endpoint did not answer with a report, so no vulnerability check was done.",
        `  npm said: ${o.reason}`,
        '  (npm audit POSTs the dependency list to <registry>/-/npm/v1/security/advisories/bulk; a proxy that allows only GET answers 405.)',
      ].join('\n')
  }
}

export function auditExitCode(o: TAuditOutcome): 0 | 1 | 2 {
  return o.kind === 'clean' ? 0 : o.kind === 'vulnerable' ? 1 : 2
}
