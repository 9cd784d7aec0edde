// Parser for `nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv`
// output. The header names the columns (any order; `,noheader` output is not
// accepted: the header is what tells the columns apart). Timestamps are
// nvidia-smi's local time, "2026/11/20 10:00:00.123", read as UTC unless an
// offset is given. Bad lines are reported with their line number and reason;
// the good ones are kept.
// The route takes 4 MiB from any ingest key, so every step here is linear:
// csv-parse splits the cells (no quoting: nvidia-smi never quotes), lines and
// the header are capped, and no regex can backtrack over a long cell.

import { parse } from 'csv-parse/sync'

export type TParsedSample = { line: number; timestamp: Date; gpu_index: number; utilization_pct: number; memory_used_mib: number | null }
export type TLineError = { line: number; errors: string[] }
export type TParsedCsv = { samples: TParsedSample[]; rejected: TLineError[] }

export class CsvHeaderError extends Error {}

/** Longest line (header included) read: a header of 30 query fields is ~600 characters. */
export const MAX_LINE_CHARS = 4096
/** Most columns a header may name. */
export const MAX_COLUMNS = 64

const COLUMNS = { timestamp: 'timestamp', index: 'index', util: 'utilization.gpu', mem: 'memory.used' } as const

/** "+02:00" / "-0530" / "Z" → minutes east of UTC; null when malformed. */
export function parseUtcOffset(s: string): number | null {
  if (s === 'Z' || s === 'z') return 0
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(s.trim())
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) return null
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]))
}

function parseTimestamp(s: string, offsetMinutes: number): Date | null {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(s)
  if (!m) return null
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number)
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0
  const t = Date.UTC(y, mo - 1, d, h, mi, se, ms)
  const back = new Date(t)
  // Date.UTC rolls 2026/02/30 over to March: refuse what is not a real date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null
  return new Date(t - offsetMinutes * 60_000)
}

/** A value with an optional unit: "87 %", "87", "40536 MiB". "[N/A]" and friends are reported as not available. */
function parseUnitValue(raw: string, unit: string, column: string): { value: number } | { error: string } {
  const s = raw.trim()
  if (/^\[.*\]$/.test(s)) return { error: `${column}: not available (${s})` }
  const m = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*(?:${unit})?$`, 'i').exec(s)
  if (!m) return { error: `${column}: ${JSON.stringify(s)} is not a number${unit ? ` of ${unit}` : ''}` }
  return { value: Number(m[1]) }
}

/** Each line's length (without its "\r") and the first line that is not blank, by one linear scan. */
function scanLines(text: string): { lengths: number[]; firstNonBlank: number } {
  const lengths: number[] = []
  let firstNonBlank = -1
  let start = 0
  for (;;) {
    const nl = text.indexOf('\n', start)
    const end = nl < 0 ? text.length : nl
    if (firstNonBlank < 0 && text.slice(start, end).trim() !== '') firstNonBlank = lengths.length
    lengths.push(end - start - (end > start && text.charCodeAt(end - 1) === 13 ? 1 : 0))
    if (nl < 0) return { lengths, firstNonBlank }
    start = nl + 1
  }
}

/** "memory.used [MiB]" → "memory.used": what /\s*\[.*\]$/ removed, without its quadratic backtracking over runs of spaces. */
export function headerName(cell: string): string {
  const h = cell.trim().toLowerCase()
  const open = h.endsWith(']') ? h.indexOf('[') : -1
  return open < 0 ? h : h.slice(0, open).trimEnd()
}

const tooLong = (line: number, length: number) => `Line ${line} is ${length} characters long; at most ${MAX_LINE_CHARS} per line`

export type TColumnsAt = { timestamp: number; index: number; util: number; mem: number }

/** One line's trimmed cells (line: its 1-based number) → its sample, or its errors. */
export function sampleOfCells(cells: string[], line: number, columns: number, at: TColumnsAt, offset: number): TParsedSample | TLineError {
  if (cells.length !== columns) return { line, errors: [`expected ${columns} comma-separated values, found ${cells.length}`] }
  const errors: string[] = []
  const timestamp = parseTimestamp(cells[at.timestamp], offset)
  if (!timestamp) errors.push(`timestamp: ${JSON.stringify(cells[at.timestamp])} is not a date-time like 2026/11/20 10:00:00.123`)
  const idx = cells[at.index]
  const gpuIndex = /^\d{1,4}$/.test(idx) ? Number(idx) : null
  if (gpuIndex === null) errors.push(`index: ${JSON.stringify(idx)} is not a GPU index (0, 1, …)`)
  const util = parseUnitValue(cells[at.util], '%', 'utilization.gpu')
  if ('error' in util) errors.push(util.error)
  else if (util.value > 100) errors.push(`utilization.gpu: ${util.value} % is above 100 %`)
  const mem = parseUnitValue(cells[at.mem], 'MiB', 'memory.used')
  // Memory is optional evidence: a GPU that reports [N/A] still has a utilization.
  const memValue = 'value' in mem ? mem.value : /not available/.test(mem.error) ? null : undefined
  if (memValue === undefined && 'error' in mem) errors.push(mem.error)
  if (errors.length) return { line, errors }
  return { line, timestamp: timestamp!, gpu_index: gpuIndex!, utilization_pct: (util as { value: number }).value, memory_used_mib: memValue ?? null }
}

export function parseNvidiaSmiCsv(text: string, opts: { utcOffsetMinutes?: number; maxLines?: number } = {}): TParsedCsv {
  const offset = opts.utcOffsetMinutes ?? 0
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  // Lengths and line counts are checked before any cell is read.
  const { lengths, firstNonBlank: headerAt } = scanLines(body)
  const firstLong = lengths.findIndex((n) => n > MAX_LINE_CHARS)
  if (firstLong >= 0 && (headerAt < 0 || firstLong <= headerAt)) throw new CsvHeaderError(tooLong(firstLong + 1, lengths[firstLong]))
  if (headerAt < 0)
    throw new CsvHeaderError('The file is empty: expected the header "timestamp, index, utilization.gpu [%], memory.used [MiB]" and one line per sample')
  const dataLines = lengths.length - headerAt - 1
  if (opts.maxLines !== undefined && dataLines > opts.maxLines) throw new CsvHeaderError(`The file has ${dataLines} lines; at most ${opts.maxLines} per upload`)
  // One record per line (no quoting, blank lines kept): record i is line i + 1.
  const records: string[][] = parse(body, { quote: false, relax_column_count: true, record_delimiter: ['\r\n', '\n'], skip_empty_lines: false })
  const blank = (r: string[]) => r.length === 1 && r[0].trim() === ''
  if (records[headerAt].length > MAX_COLUMNS)
    throw new CsvHeaderError(`Line ${headerAt + 1}: the header has ${records[headerAt].length} columns; at most ${MAX_COLUMNS}`)
  const header = records[headerAt].map(headerName)
  const col = (name: string) => header.indexOf(name)
  const at = { timestamp: col(COLUMNS.timestamp), index: col(COLUMNS.index), util: col(COLUMNS.util), mem: col(COLUMNS.mem) }
  const missing = Object.entries(at)
    .filter(([, i]) => i < 0)
    .map(([k]) => COLUMNS[k as keyof typeof COLUMNS])
  if (missing.length) {
    throw new CsvHeaderError(
      `Line ${headerAt + 1}: the header lacks ${missing.join(', ')}; run nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (with its header)`,
    )
  }
  const samples: TParsedSample[] = []
  const rejected: TLineError[] = []
  for (let i = headerAt + 1; i < records.length; i++) {
    if (blank(records[i])) continue
    if (lengths[i] > MAX_LINE_CHARS) {
      rejected.push({ line: i + 1, errors: [tooLong(i + 1, lengths[i])] })
      continue
    }
    const row = sampleOfCells(
      records[i].map((c) => c.trim()),
      i + 1,
      header.length,
      at,
      offset,
    )
    if ('errors' in row) rejected.push(row)
    else samples.push(row)
  }
  return { samples, rejected }
}
