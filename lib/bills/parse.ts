import { toScaled } from '@/lib/cost/money'
import { USD_DECIMALS } from '@/lib/domain'
import type { TBillFormat, TRejectedLine } from '@/lib/bills/schema'

// The bill formats Outlay reads (docs/finance.md), one line or cost item at a time, so a file of hundreds of
// megabytes streams (lib/bills/import.ts feeds the CSV records from csv-parse). Pure: no database, no I/O.
//   simple     CSV  date,provider,model,cost_usd[,description] (header optional; with one, columns by name)
//   focus      CSV  FOCUS (FinOps Open Cost and Usage Specification) 1.0–1.3 cost and usage rows
//   openai     JSON GET /v1/organization/costs pages: {"object":"page","data":[{start_time,results:[{amount:{value,currency},line_item,project_id}]}]}
//   anthropic  JSON GET /v1/organizations/cost_report pages: {"data":[{starting_at,results:[{amount (cents),currency,model,description,cost_type}]}]}
// A line that cannot be read is refused with its reason; the others are kept.

export type TBillLine = {
  /** CSV: the line number in the file; JSON: the cost item's position from 1 */
  line: number
  /** YYYY-MM-DD, UTC */
  day: string
  provider: string
  model: string | null
  costMicros: bigint
  description: string | null
}
export type TLineResult = { ok: true; value: TBillLine } | { ok: false; rejected: TRejectedLine }

/** The whole file cannot be read as the format (a missing column, a JSON of another shape): 400, nothing imported. */
export class BillFormatError extends Error {}

const MAX_NAME = 200
const MAX_DESCRIPTION = 500
const MAX_AMOUNT_CHARS = 40

const reject = (line: number, reason: string): TLineResult => ({ ok: false, rejected: { line, reason } })

// ─── values ───────────────────────────────────────────────────────────────────

// Linear, anchored, no nested quantifiers: safe on attacker text (CONVENTIONS "Parsers of user input").
const DAY_OR_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/** A date or ISO-8601 date-time as its UTC day; null when it is not one (or outside 2000–2099). Without an offset a time is UTC. */
export function utcDayOf(text: string): string | null {
  const s = text.trim()
  if (s.length > 40) return null
  const m = DAY_OR_INSTANT.exec(s)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31) return null
  const base = Date.UTC(y, mo - 1, d)
  if (new Date(base).getUTCDate() !== d) return null // 2026-02-30
  if (m[4] === undefined) return s.slice(0, 10)
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)]
  if (hh > 23 || mm > 59 || ss > 59) return null
  let offsetMin = 0
  const off = m[7]
  if (off && off.toUpperCase() !== 'Z') {
    const digits = off.slice(1).replace(':', '')
    offsetMin = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * (off[0] === '-' ? -1 : 1)
  }
  return new Date(base + ((hh * 60 + mm) * 60 + ss) * 1000 - offsetMin * 60_000).toISOString().slice(0, 10)
}

const PLAIN_DECIMAL = /^[+-]?\d*\.?\d*$/
const EXPONENT_DECIMAL = /^[+-]?\d*\.?\d+[eE][+-]?\d{1,3}$/

/** A decimal amount (credits may be negative; an exponent is read, as some exports write one) in micro-units, rounded half up; null when not a number. */
export function amountMicros(text: string | number, scale = USD_DECIMALS): bigint | null {
  if (typeof text === 'number') return Number.isFinite(text) ? toScaled(text, scale) : null
  const s = text.trim()
  if (!s || s.length > MAX_AMOUNT_CHARS) return null
  if (PLAIN_DECIMAL.test(s) && /\d/.test(s)) return toScaled(s.replace(/^\+/, ''), scale)
  if (EXPONENT_DECIMAL.test(s)) {
    const n = Number(s)
    return Number.isFinite(n) ? toScaled(n, scale) : null
  }
  return null
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s)
const nonEmpty = (s: string | undefined | null): string | null => {
  const t = (s ?? '').trim()
  return t ? t : null
}

// ─── CSV ──────────────────────────────────────────────────────────────────────

/** Reads one CSV record (its cells and line number); made from the header by csvReader. */
export type TCsvRowReader = (cells: string[], line: number) => TLineResult

const SIMPLE_COLUMNS = ['date', 'provider', 'model', 'cost_usd', 'description'] as const

/** Which CSV format a first record is the header of: FOCUS by its BilledCost column, else simple. */
export function csvFormatOf(first: string[]): 'focus' | 'simple' {
  return first.some((c) => c.trim().toLowerCase() === 'billedcost') ? 'focus' : 'simple'
}

/**
 * A reader for the records after the first one, and what to make of the first itself: a header (null), or, for a
 * simple CSV without a header, its first line.
 */
export function csvReader(format: 'simple' | 'focus', first: string[]): { read: TCsvRowReader; firstIsHeader: boolean } {
  return format === 'focus' ? { read: focusReader(first), firstIsHeader: true } : simpleReader(first)
}

function simpleReader(first: string[]): { read: TCsvRowReader; firstIsHeader: boolean } {
  const names = first.map((c) => c.trim().toLowerCase())
  const firstIsHeader = names[0] === 'date' || names.includes('cost_usd')
  let index: Record<(typeof SIMPLE_COLUMNS)[number], number> = { date: 0, provider: 1, model: 2, cost_usd: 3, description: 4 }
  if (firstIsHeader) {
    const missing = SIMPLE_COLUMNS.slice(0, 4).filter((c) => !names.includes(c))
    if (missing.length) throw new BillFormatError(`the header lacks ${missing.join(', ')} (expected date,provider,model,cost_usd[,description])`)
    index = Object.fromEntries(SIMPLE_COLUMNS.map((c) => [c, names.indexOf(c)])) as typeof index
  }
  const cell = (cells: string[], i: number) => (i >= 0 ? (cells[i] ?? '') : '')
  return {
    firstIsHeader,
    read: (cells, line) => {
      if (cells.length < 4) return reject(line, `expected date,provider,model,cost_usd[,description]; the line has ${cells.length} field(s)`)
      const day = utcDayOf(cell(cells, index.date))
      if (!day) return reject(line, 'date: must be a day (YYYY-MM-DD) or an ISO-8601 date-time')
      const provider = nonEmpty(cell(cells, index.provider))
      if (!provider) return reject(line, 'provider: is required')
      if (provider.length > MAX_NAME) return reject(line, `provider: at most ${MAX_NAME} characters`)
      const model = nonEmpty(cell(cells, index.model))
      if (model && model.length > MAX_NAME) return reject(line, `model: at most ${MAX_NAME} characters`)
      const costMicros = amountMicros(cell(cells, index.cost_usd))
      if (costMicros === null) return reject(line, 'cost_usd: must be a decimal number of USD')
      const description = nonEmpty(cell(cells, index.description))
      return { ok: true, value: { line, day, provider, model, costMicros, description: description && clip(description, MAX_DESCRIPTION) } }
    },
  }
}

// FOCUS: column names are PascalCase (matched here without regard to case); custom columns start with x_.
// BilledCost (Decimal, never null) is what the invoice charges, in BillingCurrency (ISO 4217);
// ChargePeriodStart (inclusive, ISO 8601 UTC) dates the charge. The provider: ServiceProviderName (1.3),
// ProviderName (1.0–1.2), else ServiceName. The model: x_model (Outlay's own export), ResourceName, else SkuId.
const FOCUS_PROVIDER = ['serviceprovidername', 'providername', 'servicename']
const FOCUS_MODEL = ['x_model', 'resourcename', 'skuid']

function focusReader(header: string[]): TCsvRowReader {
  const names = header.map((c) => c.trim().toLowerCase())
  const col = (n: string) => names.indexOf(n)
  const billed = col('billedcost')
  const start = col('chargeperiodstart')
  const currency = col('billingcurrency')
  const providers = FOCUS_PROVIDER.map(col).filter((i) => i >= 0)
  const models = FOCUS_MODEL.map(col).filter((i) => i >= 0)
  const description = col('chargedescription')
  const category = col('chargecategory')
  const missing = [
    start < 0 ? 'ChargePeriodStart' : null,
    currency < 0 ? 'BillingCurrency' : null,
    providers.length ? null : 'ProviderName (or ServiceProviderName, ServiceName)',
  ].filter(Boolean)
  if (missing.length) throw new BillFormatError(`the FOCUS header lacks ${missing.join(', ')}`)
  const first = (cells: string[], cols: number[]) => {
    for (const i of cols) {
      const v = nonEmpty(cells[i])
      if (v) return v
    }
    return null
  }
  return (cells, line) => {
    if (cells.length !== names.length) return reject(line, `expected ${names.length} fields (as the header); the line has ${cells.length}`)
    const cur = (cells[currency] ?? '').trim()
    if (cur.toUpperCase() !== 'USD')
      return reject(line, `BillingCurrency: ${cur ? `"${clip(cur, 10)}" is not USD` : 'is empty'} (Outlay reconciles USD bills only)`)
    const raw = (cells[billed] ?? '').trim()
    if (!raw) return reject(line, 'BilledCost: is empty (FOCUS: must not be null)')
    const costMicros = amountMicros(raw)
    if (costMicros === null) return reject(line, 'BilledCost: must be a decimal number')
    const day = utcDayOf(cells[start] ?? '')
    if (!day) return reject(line, 'ChargePeriodStart: must be an ISO-8601 date-time')
    const provider = first(cells, providers)
    if (!provider) return reject(line, 'ProviderName: is empty (and so are ServiceProviderName and ServiceName)')
    if (provider.length > MAX_NAME) return reject(line, `ProviderName: at most ${MAX_NAME} characters`)
    const model = first(cells, models)
    const cat = category >= 0 ? nonEmpty(cells[category]) : null
    const desc = [cat && cat.toLowerCase() !== 'usage' ? cat : null, description >= 0 ? nonEmpty(cells[description]) : null].filter(Boolean).join(' · ')
    return {
      ok: true,
      value: {
        line,
        day,
        provider: clip(provider, MAX_NAME),
        model: model && clip(model, MAX_NAME),
        costMicros,
        description: desc ? clip(desc, MAX_DESCRIPTION) : null,
      },
    }
  }
}

// ─── JSON cost reports ────────────────────────────────────────────────────────

type TObj = Record<string, unknown>
const isObj = (x: unknown): x is TObj => typeof x === 'object' && x !== null && !Array.isArray(x)

/** A cost report is one page or an array of pages (every page of a paginated answer, saved together). */
function pagesOf(json: unknown): TObj[] {
  const pages = Array.isArray(json) ? json : [json]
  if (!pages.every(isObj) || !pages.every((p) => Array.isArray(p.data)))
    throw new BillFormatError('expected a cost report page {"data": [...]} or an array of pages')
  return pages
}

/** Which JSON cost report this is: OpenAI's buckets have start_time (Unix seconds), Anthropic's starting_at (RFC 3339). */
export function jsonFormatOf(json: unknown): 'openai' | 'anthropic' {
  const pages = pagesOf(json)
  for (const p of pages)
    for (const b of p.data as unknown[]) {
      if (isObj(b) && 'start_time' in b) return 'openai'
      if (isObj(b) && 'starting_at' in b) return 'anthropic'
    }
  if (pages.some((p) => p.object === 'page')) return 'openai'
  throw new BillFormatError('not an OpenAI (data[].start_time) or Anthropic (data[].starting_at) cost report')
}

// A line item names the model first: "gpt-4o-2024-08-06, input", "gpt-4o-mini, cached input"; other items
// ("web search tool calls", "File search storage") name no model.
const MODEL_NAME = /^[a-z0-9][a-z0-9._:/-]*$/i
function modelOfLineItem(item: string): string | null {
  const head = item.split(',')[0].trim()
  return head.length <= MAX_NAME && MODEL_NAME.test(head) && /\d|-/.test(head) ? head : null
}

/** Every cost item of a JSON cost report, in file order (BillFormatError at once when it is not a cost report). */
export function readJsonReport(format: 'openai' | 'anthropic', json: unknown): Iterable<TLineResult> {
  return jsonItems(format, pagesOf(json))
}

function* jsonItems(format: 'openai' | 'anthropic', pages: TObj[]): Generator<TLineResult> {
  let n = 0
  for (const page of pages) {
    for (const bucket of page.data as unknown[]) {
      const results = isObj(bucket) && Array.isArray(bucket.results) ? bucket.results : null
      if (!results) {
        yield reject(++n, 'data[]: a bucket without results[]')
        continue
      }
      const day =
        format === 'openai'
          ? openAiDay(bucket as TObj)
          : typeof (bucket as TObj).starting_at === 'string'
            ? utcDayOf((bucket as TObj).starting_at as string)
            : null
      for (const r of results) {
        const line = ++n
        if (!isObj(r)) {
          yield reject(line, 'results[]: not an object')
          continue
        }
        if (!day) {
          yield reject(line, format === 'openai' ? 'start_time: must be Unix seconds' : 'starting_at: must be an RFC 3339 date-time')
          continue
        }
        yield format === 'openai' ? openAiItem(r, line, day) : anthropicItem(r, line, day)
      }
    }
  }
}

function openAiDay(bucket: TObj): string | null {
  const t = bucket.start_time
  if (typeof t !== 'number' || !Number.isInteger(t)) return null
  const d = new Date(t * 1000)
  return Number.isNaN(d.getTime()) ? null : utcDayOf(d.toISOString())
}

function openAiItem(r: TObj, line: number, day: string): TLineResult {
  const amount = r.amount
  if (!isObj(amount)) return reject(line, 'amount: must be {value, currency}')
  const cur = typeof amount.currency === 'string' ? amount.currency.trim() : ''
  if (cur.toLowerCase() !== 'usd') return reject(line, `amount.currency: "${clip(cur, 10)}" is not usd`)
  const costMicros = typeof amount.value === 'number' || typeof amount.value === 'string' ? amountMicros(amount.value) : null
  if (costMicros === null) return reject(line, 'amount.value: must be a number')
  const item = typeof r.line_item === 'string' ? nonEmpty(r.line_item) : null
  const project = typeof r.project_id === 'string' ? nonEmpty(r.project_id) : null
  const description = [item, project ? `project ${project}` : null].filter(Boolean).join(' · ')
  return {
    ok: true,
    value: {
      line,
      day,
      provider: 'openai',
      model: item ? modelOfLineItem(item) : null,
      costMicros,
      description: description ? clip(description, MAX_DESCRIPTION) : null,
    },
  }
}

function anthropicItem(r: TObj, line: number, day: string): TLineResult {
  const cur = typeof r.currency === 'string' ? r.currency.trim() : ''
  if (cur.toUpperCase() !== 'USD') return reject(line, `currency: "${clip(cur, 10)}" is not USD`)
  // "123.45" is in cents ($1.2345): cents at 4 decimals are micro-dollars (rounded half up once).
  const costMicros = typeof r.amount === 'string' || typeof r.amount === 'number' ? amountMicros(r.amount, USD_DECIMALS - 2) : null
  if (costMicros === null) return reject(line, 'amount: must be a decimal string (cents)')
  const model = typeof r.model === 'string' ? nonEmpty(r.model) : null
  const description = [
    typeof r.description === 'string' ? nonEmpty(r.description) : null,
    typeof r.cost_type === 'string' && !r.description ? r.cost_type : null,
  ]
    .filter(Boolean)
    .join(' · ')
  return {
    ok: true,
    value: {
      line,
      day,
      provider: 'anthropic',
      model: model && clip(model, MAX_NAME),
      costMicros,
      description: description ? clip(description, MAX_DESCRIPTION) : null,
    },
  }
}

export const isCsvFormat = (f: TBillFormat): f is 'simple' | 'focus' => f === 'simple' || f === 'focus'
