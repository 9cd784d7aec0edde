// Formatting at the edge: money arrives as exact decimal strings.

/** "1234.567890" → "$1,234.57"; amounts under a cent keep significant digits ("$0.0042"). */
export function formatUsd(value: string | number, opts: { precise?: boolean } = {}): string {
  const n = typeof value === 'string' ? Number(value) : value
  if (!Number.isFinite(n)) return '—'
  const abs = Math.abs(n)
  if (opts.precise || (abs > 0 && abs < 0.01)) {
    return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: abs < 0.01 ? 6 : 4 })
  }
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** Compact money for chart axes: $1.2K, $3.4M, $20K (currency style would otherwise pad to "$20.0K"). */
export function formatUsdCompact(n: number): string {
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 })
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatCompact(n: number): string {
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 })
}

export function formatPercent(ratio: number, digits = 1): string {
  if (!Number.isFinite(ratio)) return '—'
  return `${(ratio * 100).toFixed(digits)}%`
}

/** A latency: "850 ms" under a second, "2.4 s" above; "—" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}
