// Parser for `nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv`
// output. The header names the columns (any order; `,noheader` output is not
// accepted: the header is what tells the columns apart). Timestamps are
// nvidia-smi's local time, "2026/11/20 10:00:00.123", read as UTC unless an
// offset is given. Bad lines are reported with their line number and reason;
// the good ones are kept.

export type TParsedSample = { line: number; timestamp: Date; gpu_index: number; utilization_pct: number; memory_used_mib: number | null }
export type TLineError = { line: number; errors: string[] }
export type TParsedCsv = { samples: TParsedSample[]; rejected: TLineError[] }

export class CsvHeaderError extends Error {}

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

export function parseNvidiaSmiCsv(text: string, opts: { utcOffsetMinutes?: number; maxLines?: number } = {}): TParsedCsv {
  const offset = opts.utcOffsetMinutes ?? 0
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = lines.findIndex((l) => l.trim() !== '')
  if (headerAt < 0) throw new CsvHeaderError('The file is empty: expected the header "timestamp, index, utilization.gpu [%], memory.used [MiB]" and one line per sample')
  const header = lines[headerAt].split(',').map((h) => h.trim().toLowerCase().replace(/\s*\[.*\]$/, ''))
  const col = (name: string) => header.indexOf(name)
  const at = { timestamp: col(COLUMNS.timestamp), index: col(COLUMNS.index), util: col(COLUMNS.util), mem: col(COLUMNS.mem) }
  const missing = Object.entries(at).filter(([, i]) => i < 0).map(([k]) => COLUMNS[k as keyof typeof COLUMNS])
  if (missing.length) {
    throw new CsvHeaderError(
      `Line ${headerAt + 1}: the header lacks ${missing.join(', ')}; run nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (with its header)`,
    )
  }
  const samples: TParsedSample[] = []
  const rejected: TLineError[] = []
  const dataLines = lines.length - headerAt - 1
  if (opts.maxLines !== undefined && dataLines > opts.maxLines) throw new CsvHeaderError(`The file has ${dataLines} lines; at most ${opts.maxLines} per upload`)
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]
    if (line.trim() === '') continue
    const cells = line.split(',').map((c) => c.trim())
    const errors: string[] = []
    if (cells.length !== header.length) {
      rejected.push({ line: i + 1, errors: [`expected ${header.length} comma-separated values, found ${cells.length}`] })
      continue
    }
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
    if (errors.length) rejected.push({ line: i + 1, errors })
    else samples.push({ line: i + 1, timestamp: timestamp!, gpu_index: gpuIndex!, utilization_pct: (util as { value: number }).value, memory_used_mib: memValue ?? null })
  }
  return { samples, rejected }
}
