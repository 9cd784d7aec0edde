// Eval results from a CSV file (the policy editor's upload): one row per eval
// run; the columns eval_set, provider, model and sample_count are required,
// tokens_in, cached_tokens_in, tokens_out, cost_usd and run_at optional, and
// every other column is a metric score in [0, 1]. Pure: the API validates again.

import { CsvError, parse } from 'csv-parse/browser/esm/sync'

export const EVAL_CSV_FIXED = ['eval_set', 'provider', 'model', 'sample_count', 'tokens_in', 'cached_tokens_in', 'tokens_out', 'cost_usd', 'run_at'] as const
const REQUIRED = ['eval_set', 'provider', 'model', 'sample_count']
const INTEGER = new Set(['sample_count', 'tokens_in', 'cached_tokens_in', 'tokens_out'])

/** Longest line, and most cells in a row: an eval file has tens of columns. */
export const EVAL_CSV_MAX_LINE_CHARS = 16_384
export const EVAL_CSV_MAX_FIELDS = 256

/** A file past a limit (or with a quote never closed): the message names the line. */
export class CsvLimitError extends Error {}

/**
 * RFC 4180 rows: commas, quoted cells with doubled quotes, CRLF or LF line ends; blank lines skipped.
 * csv-parse reads them in one linear pass (its browser build: the policy editor parses the file
 * in the page); lines and rows are capped first so that no file can make the work grow.
 */
export function parseCsv(text: string): string[][] {
  // Line lengths by one pass over the characters ("\r\n", "\n" or "\r" end a line, as they end a row).
  for (let i = 0, line = 1, length = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++
      line++
      length = 0
    } else if (++length > EVAL_CSV_MAX_LINE_CHARS) throw new CsvLimitError(`line ${line}: longer than ${EVAL_CSV_MAX_LINE_CHARS} characters`)
  }
  try {
    return parse(text, {
      bom: true,
      relax_quotes: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_records_with_empty_values: true,
      // a quoted cell may span lines: the whole row is capped too
      max_record_size: EVAL_CSV_MAX_LINE_CHARS,
      on_record: (record: string[], { lines }: { lines: number }) => {
        if (record.length > EVAL_CSV_MAX_FIELDS) throw new CsvLimitError(`line ${lines}: ${record.length} cells; at most ${EVAL_CSV_MAX_FIELDS} per row`)
        return record
      },
    }) as string[][]
  } catch (e) {
    if (e instanceof CsvLimitError) throw e
    if (e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new CsvLimitError(`line ${(e as { lines?: number }).lines}: the file ends inside a quoted cell (a quote is never closed)`)
    if (e instanceof CsvError && e.code === 'CSV_MAX_RECORD_SIZE')
      throw new CsvLimitError(`line ${(e as { lines?: number }).lines}: a row longer than ${EVAL_CSV_MAX_LINE_CHARS} characters`)
    throw e
  }
}

export type TEvalCsvResult = { evals: Record<string, unknown>[]; errors: string[] }

export function evalsFromCsv(text: string, target: { workflow_id: string; step: string }): TEvalCsvResult {
  let rows: string[][]
  try {
    rows = parseCsv(text)
  } catch (e) {
    if (e instanceof CsvLimitError || e instanceof CsvError) return { evals: [], errors: [e.message] }
    throw e
  }
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
