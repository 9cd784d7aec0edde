import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { amountMicros, BillFormatError, csvFormatOf, csvReader, jsonFormatOf, readJsonReport, utcDayOf, type TLineResult } from '@/lib/bills/parse'

// The parsers, on sample files written from each format's published description (lib/bills/fixtures):
// the simple CSV, FOCUS (its column rules: BilledCost never null, in BillingCurrency; ChargePeriodStart inclusive, UTC),
// OpenAI's organization costs pages and Anthropic's cost report (amounts in cents).

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')

/** The CSV as lib/bills/import.ts reads it (csv-parse, the same options, whole here), through the format's reader. */
function readCsv(text: string): { format: string; results: TLineResult[] } {
  const records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as {
    record: string[]
    info: { lines: number }
  }[]
  const format = csvFormatOf(records[0].record)
  const { read, firstIsHeader } = csvReader(format, records[0].record)
  return { format, results: (firstIsHeader ? records.slice(1) : records).map((r) => read(r.record, r.info.lines)) }
}
const kept = (rs: TLineResult[]) => rs.flatMap((r) => (r.ok ? [{ ...r.value, costMicros: r.value.costMicros.toString() }] : []))
const refused = (rs: TLineResult[]) => rs.flatMap((r) => (r.ok ? [] : [r.rejected]))

describe('values', () => {
  it('reads a day or an ISO-8601 date-time as its UTC day', () => {
    expect(utcDayOf('2026-11-01')).toBe('2026-11-01')
    expect(utcDayOf('2026-11-01T23:30:00Z')).toBe('2026-11-01')
    expect(utcDayOf('2026-11-01T23:30:00-02:00')).toBe('2026-11-02')
    expect(utcDayOf('2026-11-01 00:00:00')).toBe('2026-11-01')
    expect(utcDayOf('2026-02-30')).toBeNull()
    expect(utcDayOf('yesterday')).toBeNull()
    expect(utcDayOf('1999-12-31')).toBeNull()
  })

  it('reads amounts exactly in micro-dollars, rounded half up', () => {
    expect(amountMicros('12.345678')).toBe(12_345_678n)
    expect(amountMicros('0.0000005')).toBe(1n)
    expect(amountMicros('0.0000004')).toBe(0n)
    expect(amountMicros('-2.50')).toBe(-2_500_000n)
    expect(amountMicros('1.5E-2')).toBe(15_000n)
    expect(amountMicros(0.1 + 0.2)).toBe(300_000n)
    expect(amountMicros('twelve')).toBeNull()
    expect(amountMicros('12,50')).toBeNull()
    expect(amountMicros('')).toBeNull()
    expect(amountMicros('1'.repeat(60))).toBeNull()
  })
})

describe('the simple CSV', () => {
  it('keeps the good lines and refuses the others with their line number and reason', () => {
    const { format, results } = readCsv(fixture('simple.csv'))
    expect(format).toBe('simple')
    expect(kept(results)).toEqual([
      { line: 2, day: '2026-11-01', provider: 'openai', model: 'gpt-4o-2024-08-06', costMicros: '12345678', description: 'chat, input and output' },
      { line: 3, day: '2026-11-01', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', costMicros: '3100000', description: null },
      { line: 4, day: '2026-11-02', provider: 'openai', model: 'gpt-4o-mini', costMicros: '1', description: 'rounds up to one micro-dollar' },
      { line: 5, day: '2026-11-02', provider: 'openai', model: null, costMicros: '1000000', description: 'web search tool calls' },
      { line: 9, day: '2026-11-03', provider: 'openai', model: 'gpt-4o', costMicros: '-2500000', description: 'credit' },
    ])
    expect(refused(results)).toEqual([
      { line: 6, reason: 'date: must be a day (YYYY-MM-DD) or an ISO-8601 date-time' },
      { line: 7, reason: 'provider: is required' },
      { line: 8, reason: 'cost_usd: must be a decimal number of USD' },
    ])
  })

  it('reads a file without a header by position, and one with its columns in another order by name', () => {
    expect(kept(readCsv('2026-11-01,openai,gpt-4o,1.5\n').results)).toEqual([
      { line: 1, day: '2026-11-01', provider: 'openai', model: 'gpt-4o', costMicros: '1500000', description: null },
    ])
    expect(kept(readCsv('cost_usd,model,provider,date\n2,gpt-4o,openai,2026-11-02\n').results)).toEqual([
      { line: 2, day: '2026-11-02', provider: 'openai', model: 'gpt-4o', costMicros: '2000000', description: null },
    ])
  })

  it('refuses a header without the required columns', () => {
    expect(() => readCsv('date,provider,cost\n2026-11-01,openai,1\n')).toThrow(BillFormatError)
  })
})

describe('FOCUS CSV', () => {
  it('reads BilledCost in USD on the day ChargePeriodStart falls, the provider and the model; refuses other currencies and null costs', () => {
    const { format, results } = readCsv(fixture('focus.csv'))
    expect(format).toBe('focus')
    expect(kept(results)).toEqual([
      { line: 2, day: '2026-11-01', provider: 'OpenAI', model: 'gpt-4o', costMicros: '4200000', description: 'gpt-4o input tokens' },
      { line: 3, day: '2026-11-01', provider: 'Amazon Web Services', model: 'claude-3-5-haiku', costMicros: '1050000', description: 'Claude on Bedrock' },
      { line: 4, day: '2026-11-01', provider: 'OpenAI', model: null, costMicros: '420000', description: 'Tax · Sales tax' },
      { line: 7, day: '2026-11-02', provider: 'OpenAI', model: 'gpt-4o-mini-deployment', costMicros: '15000', description: 'exponent notation' },
      { line: 8, day: '2026-11-02', provider: 'OpenAI', model: null, costMicros: '-200000', description: 'Credit · promotional credit' },
    ])
    expect(refused(results)).toEqual([
      { line: 5, reason: 'BillingCurrency: "EUR" is not USD (Outlay reconciles USD bills only)' },
      { line: 6, reason: 'BilledCost: is empty (FOCUS: must not be null)' },
      { line: 9, reason: 'ChargePeriodStart: must be an ISO-8601 date-time' },
    ])
  })

  it('takes ServiceProviderName (FOCUS 1.3) over ProviderName, and needs BillingCurrency', () => {
    const csv =
      'BilledCost,BillingCurrency,ChargePeriodStart,ServiceProviderName,ProviderName,SkuId\n1,USD,2026-11-01T00:00:00Z,Anthropic,Google Cloud,claude-opus-4\n'
    expect(kept(readCsv(csv).results)).toEqual([
      { line: 2, day: '2026-11-01', provider: 'Anthropic', model: 'claude-opus-4', costMicros: '1000000', description: null },
    ])
    expect(() => readCsv('BilledCost,ChargePeriodStart,ProviderName\n1,2026-11-01,OpenAI\n')).toThrow(/BillingCurrency/)
  })

  it('refuses a line whose field count differs from the header', () => {
    const { results } = readCsv('BilledCost,BillingCurrency,ChargePeriodStart,ProviderName\n1,USD,2026-11-01T00:00:00Z\n')
    expect(refused(results)).toEqual([{ line: 2, reason: 'expected 4 fields (as the header); the line has 3' }])
  })
})

describe('OpenAI organization costs', () => {
  it('reads each result of each daily bucket, the model from the line item; refuses other currencies and non-numbers', () => {
    const json = JSON.parse(fixture('openai-costs.json'))
    expect(jsonFormatOf(json)).toBe('openai')
    const results = [...readJsonReport('openai', json)]
    expect(kept(results)).toEqual([
      {
        line: 1,
        day: '2026-11-01',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        costMicros: '4200000',
        description: 'gpt-4o-2024-08-06, input · project proj_abc',
      },
      { line: 2, day: '2026-11-01', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', costMicros: '60000', description: 'gpt-4o-mini-2024-07-18, output' },
      { line: 3, day: '2026-11-01', provider: 'openai', model: null, costMicros: '500000', description: 'web search tool calls' },
      { line: 6, day: '2026-11-02', provider: 'openai', model: 'gpt-4o-2024-08-06', costMicros: '2000000', description: 'gpt-4o-2024-08-06, output' },
    ])
    expect(refused(results)).toEqual([
      { line: 4, reason: 'amount.currency: "eur" is not usd' },
      { line: 5, reason: 'amount.value: must be a number' },
    ])
  })

  it('reads an array of pages (a paginated answer saved whole)', () => {
    const page = JSON.parse(fixture('openai-costs.json'))
    expect([...readJsonReport('openai', [page, page])].filter((r) => r.ok)).toHaveLength(8)
  })
})

describe('Anthropic cost report', () => {
  it('reads amounts in cents as dollars, the model when the report has one; refuses other currencies and bad amounts', () => {
    const json = JSON.parse(fixture('anthropic-cost-report.json'))
    expect(jsonFormatOf(json)).toBe('anthropic')
    const results = [...readJsonReport('anthropic', json)]
    expect(kept(results)).toEqual([
      {
        line: 1,
        day: '2026-11-01',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5-20250929',
        costMicros: '1234500',
        description: 'Claude Sonnet 4.5 Usage - Input Tokens',
      },
      { line: 2, day: '2026-11-01', provider: 'anthropic', model: null, costMicros: '50', description: 'web_search' },
      {
        line: 3,
        day: '2026-11-02',
        provider: 'anthropic',
        model: 'claude-haiku-4-5-20251001',
        costMicros: '10000000',
        description: 'Claude Haiku 4.5 Usage - Output Tokens',
      },
    ])
    expect(refused(results)).toEqual([
      { line: 4, reason: 'currency: "GBP" is not USD' },
      { line: 5, reason: 'amount: must be a decimal string (cents)' },
    ])
  })

  it('refuses JSON of another shape as a whole', () => {
    expect(() => jsonFormatOf({ rows: [] })).toThrow(BillFormatError)
    expect(() => jsonFormatOf({ data: [{ day: '2026-11-01' }] })).toThrow(BillFormatError)
  })
})
