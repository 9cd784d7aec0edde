import { spawn } from 'node:child_process'
import http from 'node:http'
import { gunzipSync } from 'node:zlib'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAudit } from './audit/report'

// npm test's dependency check, end to end: the real npm client audits a small
// project's lockfile against a local stand-in for the registry's advisory
// endpoint, and scripts/audit.ts turns its answer into the exit code test.sh reads.

const ROOT = path.resolve(import.meta.dirname, '..')
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

type TAdvisory = { id: number; title: string; severity: 'low' | 'moderate' | 'high' | 'critical'; vulnerable_versions: string }
let advisories: Record<string, TAdvisory[]> = {}
let mode: 'answer' | 'refuse' = 'answer'
let server: http.Server
let registry = ''
let project = ''

/** Package documents for the registry's GET /<name> (npm reads them to find fixed versions). */
const packument = (name: string) => ({
  name,
  'dist-tags': { latest: '2.0.0' },
  versions: Object.fromEntries(['1.0.0', '2.0.0'].map((v) => [v, { name, version: v, dist: { tarball: `${registry}${name}/-/${name}-${v}.tgz` } }])),
})

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.endsWith('/-/npm/v1/security/advisories/bulk')) {
        if (mode === 'refuse') return res.writeHead(405, { allow: 'GET,HEAD' }).end()
        const raw = Buffer.concat(chunks)
        const asked = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString()) as Record<string, string[]>
        const answer = Object.fromEntries(
          Object.keys(asked)
            .filter((n) => advisories[n])
            .map((n) => [n, advisories[n].map((a) => ({ ...a, url: `https://advisories.example/${a.id}`, cwe: [], cvss: { score: 0, vectorString: null } }))]),
        )
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
      }
      const name = decodeURIComponent(req.url!.slice(1))
      if (req.method === 'GET' && /^[a-z-]+$/.test(name)) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument(name)))
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  // A project with one production and one development dependency, as a lockfile (no install needed to audit it).
  project = mkdtempSync(path.join(os.tmpdir(), 'outlay-audit-'))
  const pkg = { name: 'audited', version: '1.0.0', dependencies: { 'prod-dep': '1.0.0' }, devDependencies: { 'dev-dep': '1.0.0' } }
  const entry = (name: string, dev: boolean) => ({
    version: '1.0.0',
    resolved: `${registry}${name}/-/${name}-1.0.0.tgz`,
    integrity: 'sha512-AAAA',
    ...(dev ? { dev: true } : {}),
  })
  writeFileSync(path.join(project, 'package.json'), JSON.stringify(pkg))
  writeFileSync(
    path.join(project, 'package-lock.json'),
    JSON.stringify({
      name: 'audited',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': pkg, 'node_modules/prod-dep': entry('prod-dep', false), 'node_modules/dev-dep': entry('dev-dep', true) },
    }),
  )
})
afterAll(async () => {
  await new Promise((ok) => server.close(ok))
  rmSync(project, { recursive: true, force: true })
})

function runAudit(reg = registry): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [path.join(ROOT, 'scripts/audit.ts')], {
      cwd: project,
      env: {
        ...process.env,
        npm_config_registry: reg,
        npm_config_cache: path.join(project, '.npm-cache'),
        npm_config_fetch_retries: '0',
        npm_config_update_notifier: 'false',
      },
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code, out }))
  })
}

// Each case starts npm (and tsx) as a child process: seconds on a busy machine, so a wide ceiling.
describe('scripts/audit.ts', { timeout: 60_000 }, () => {
  it('fails (exit 1) on a high-severity advisory for a production dependency, naming it and its advisory', async () => {
    mode = 'answer'
    advisories = { 'prod-dep': [{ id: 1, title: 'Prototype pollution in prod-dep', severity: 'high', vulnerable_versions: '<2.0.0' }] }
    const r = await runAudit()
    expect(r.code, r.out).toBe(1)
    expect(r.out).toContain('prod-dep')
    expect(r.out).toContain('Prototype pollution in prod-dep')
    expect(r.out).toMatch(/fix: npm audit fix/)
  })

  it('passes (exit 0) when only a development dependency is vulnerable, or a production one below high', async () => {
    mode = 'answer'
    advisories = {
      'dev-dep': [{ id: 2, title: 'RCE in dev-dep', severity: 'critical', vulnerable_versions: '<2.0.0' }],
      'prod-dep': [{ id: 3, title: 'Minor issue in prod-dep', severity: 'moderate', vulnerable_versions: '<2.0.0' }],
    }
    const r = await runAudit()
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('no high or critical vulnerability')
    expect(r.out).toContain('1 moderate')
  })

  it('says loudly that nothing was checked (exit 2) when the advisory endpoint refuses or cannot be reached', async () => {
    mode = 'refuse'
    const refused = await runAudit()
    expect(refused.code, refused.out).toBe(2)
    expect(refused.out).toContain('npm audit COULD NOT RUN')
    expect(refused.out).toContain('405')
    const down = await runAudit('http://127.0.0.1:9/')
    expect(down.code, down.out).toBe(2)
    expect(down.out).toContain('ECONNREFUSED')
  })
})

describe('readAudit', () => {
  it('reads a vulnerability through another package as a finding of the package that pulls it in', () => {
    const o = readAudit(
      JSON.stringify({
        auditReportVersion: 2,
        vulnerabilities: {
          next: { severity: 'high', range: '16.0.0 - 16.4.6', via: ['postcss'], fixAvailable: { name: 'next', version: '16.4.7', isSemVerMajor: false } },
        },
        metadata: { vulnerabilities: { high: 1, total: 1 } },
      }),
    )
    expect(o).toEqual({
      kind: 'vulnerable',
      findings: [{ name: 'next', severity: 'high', range: '16.0.0 - 16.4.6', advisories: ['through postcss'], fix: 'npm audit fix (installs next@16.4.7)' }],
    })
  })

  it('takes output that is not a report for "could not run", never for "clean"', () => {
    expect(readAudit('', 'npm error code ENOTFOUND').kind).toBe('unreachable')
    expect(readAudit('{"message": "500 Internal Server Error"}').kind).toBe('unreachable')
    expect(readAudit('{}').kind).toBe('unreachable')
  })
})
