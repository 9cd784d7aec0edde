// Eval results from a CSV file (the policy editor's upload): one row per eval
// run; the columns eval_set, provider, model and sample_count are required,
// tokens_in, cached_tokens_in, tokens_out, cost_usd and run_at optional, and
// every other column is a metric score in [0, 1]. Pure: the API validates again.

export const EVAL_CSV_FIXED = ['eval_set', 'provider', 'model', 'sample_count', 'tokens_in', 'cached_tokens_in', 'tokens_out', 'cost_usd', 'run_at'] as const
const REQUIRED = ['eval_set', 'provider', 'model', 'sample_count']
const INTEGER = new Set(['sample_count', 'tokens_in', 'cached_tokens_in', 'tokens_out'])

/** RFC 4180 rows: commas, quoted cells with doubled quotes, CRLF or LF line ends; blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === ',') row.push(cell), (cell = '')
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++
      row.push(cell)
      if (row.some((c) => c.trim() !== '')) rows.push(row)
      ;(row = []), (cell = '')
    } else cell += ch
  }
  row.push(cell)
  if (row.some((c) => c.trim() !== '')) rows.push(row)
  return rows
}

export type TEvalCsvResult = { evals: Record<string, unknown>[]; errors: string[] }

export function evalsFromCsv(text: string, target: { workflow_id: string; step: string }): TEvalCsvResult {
  const rows = parseCsv(text)
  if (rows.length < 2) return { evals: [], errors: ['the file needs a header row and at least one eval row'] }
  const header = rows[0].map((h) => h.trim().toLowerCase())
  const missing = REQUIRED.filter((r) => !header.includes(r))
  const metrics = header.filter((h) => !(EVAL_CSV_FIXED as readonly string[]).includes(h) && h !== '')
  const errors: string[] = missing.map((m) => `header: the column ${m} is missing`)
  if (!metrics.length) errors.push('header: add at least one metric column (e.g. grounding), scores between 0 and 1')
  if (errors.length) return { evals: [], errors }
  const evals: Record<string, unknown>[] = []
  rows.slice(1).forEach((r, n) => {
    const line = n + 2
    const get = (k: string) => (r[header.indexOf(k)] ?? '').trim()
    const e: Record<string, unknown> = { ...target, eval_set: get('eval_set'), provider: get('provider'), model: get('model') }
    const scores: Record<string, number> = {}
    for (const k of INTEGER) {
      const v = get(k)
      if (v === '') continue
      if (!/^\d+$/.test(v)) errors.push(`row ${line}: ${k}: must be a whole number`)
      else e[k] = Number(v)
    }
    if (get('cost_usd') !== '') e.cost_usd = get('cost_usd')
    if (get('run_at') !== '') e.run_at = get('run_at')
    for (const m of metrics) {
      const v = get(m)
      if (v === '') continue
      const x = Number(v)
      if (!Number.isFinite(x)) errors.push(`row ${line}: ${m}: must be a score between 0 and 1`)
      else scores[m] = x
    }
    e.scores = scores
    evals.push(e)
  })
  return { evals, errors }
}
