import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { balanceToTotals, FOCUS_COLUMNS, focusHeader, focusLines, focusRow, keyOfModel } from '@/lib/bills/focus'
import { csvFormatOf, csvReader } from '@/lib/bills/parse'

// The FOCUS export's row → CSV mapping: FOCUS's columns and values, exact decimals, RFC 4180 quoting, and the
// bill importer (lib/bills/parse.ts) reading the lines back as the same provider, model, day and cost.

const ORG = '11111111-2222-3333-4444-555555555555'
const base = {
  provider: 'openai',
  model: 'gpt-4o',
  workflow_id: 'support, "tier 1"',
  step: 'draft',
  account_id: '=HYPERLINK("x")',
  feature: null,
  environment: 'production',
  traffic_source: 'eval',
  cost_usd: '1.2345675',
  events: 3,
  unpriced_events: 1,
  tokens_in: 1200,
  tokens_out: 34,
  gpu_seconds: 0,
}

describe('focusRow', () => {
  it('maps a rollup row to FOCUS values: the cost as an exact 6-decimal string in every cost column, the periods in UTC', () => {
    const r = focusRow(ORG, '2026-12-31', base)
    expect(r).toMatchObject({
      BilledCost: '1.234568',
      EffectiveCost: '1.234568',
      ListCost: '1.234568',
      ContractedCost: '1.234568',
      BillingCurrency: 'USD',
      BillingAccountId: ORG,
      BillingPeriodStart: '2026-12-01T00:00:00Z',
      BillingPeriodEnd: '2027-01-01T00:00:00Z',
      ChargePeriodStart: '2026-12-31T00:00:00Z',
      ChargePeriodEnd: '2027-01-01T00:00:00Z',
      ChargeCategory: 'Usage',
      ProviderName: 'openai',
      PublisherName: 'openai',
      InvoiceIssuerName: 'openai',
      ServiceCategory: 'AI and Machine Learning',
      SkuId: 'gpt-4o',
      ResourceId: 'gpt-4o',
      ResourceName: 'gpt-4o',
      ConsumedQuantity: '1234',
      ConsumedUnit: 'Tokens',
      PricingQuantity: '1234',
      PricingUnit: 'Tokens',
      x_workflow_id: 'support, "tier 1"',
      x_feature: '',
      x_environment: 'production',
      x_traffic_source: 'eval',
      x_events: '3',
      x_unpriced_events: '1',
    })
    expect(Object.keys(r)).toEqual([...FOCUS_COLUMNS])
  })

  it('keeps large and tiny amounts exact (no float on the way)', () => {
    expect(focusRow(ORG, '2026-11-02', { ...base, cost_usd: '90071992547.409931' }).BilledCost).toBe('90071992547.409931')
    expect(focusRow(ORG, '2026-11-02', { ...base, cost_usd: '0.000001' }).BilledCost).toBe('0.000001')
    expect(focusRow(ORG, '2026-11-02', { ...base, cost_usd: undefined }).BilledCost).toBe('0.000000')
  })

  it('counts GPU-seconds for self-hosted calls without tokens', () => {
    const r = focusRow(ORG, '2026-11-02', { ...base, tokens_in: 0, tokens_out: 0, gpu_seconds: 12.5 })
    expect([r.ConsumedQuantity, r.ConsumedUnit, r.PricingUnit]).toEqual(['12.5', 'GPU-Seconds', 'GPU-Seconds'])
  })
})

describe('focusLines', () => {
  it('writes RFC 4180 CSV: quoted commas and quotes, a formula made inert, CRLF line ends', () => {
    const text = focusHeader() + focusLines([focusRow(ORG, '2026-11-02', base)])
    expect(text.startsWith(`${FOCUS_COLUMNS.join(',')}\r\n`)).toBe(true)
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text).toContain(',"support, ""tier 1""",')
    expect(text).toContain(`,"'=HYPERLINK(""x"")",`)
    const records = parse(text) as string[][]
    expect(records).toHaveLength(2)
    expect(records[1]).toHaveLength(FOCUS_COLUMNS.length)
    expect(records[1][FOCUS_COLUMNS.indexOf('x_workflow_id')]).toBe('support, "tier 1"')
    expect(records[1][FOCUS_COLUMNS.indexOf('BilledCost')]).toBe('1.234568')
  })

  it('reads back through the bill importer as FOCUS: the same day, provider, model and cost', () => {
    const rows = [
      focusRow(ORG, '2026-11-02', base),
      focusRow(ORG, '2026-11-03', { ...base, provider: 'anthropic', model: 'claude-sonnet-4-5', cost_usd: '0.000001' }),
    ]
    const records = parse(focusHeader() + focusLines(rows), { info: true }) as unknown as { record: string[]; info: { lines: number } }[]
    expect(csvFormatOf(records[0].record)).toBe('focus')
    const { read, firstIsHeader } = csvReader('focus', records[0].record)
    expect(firstIsHeader).toBe(true)
    const lines = records.slice(1).map((r) => read(r.record, r.info.lines))
    expect(lines.map((l) => (l.ok ? [l.value.day, l.value.provider, l.value.model, l.value.costMicros] : l.rejected))).toEqual([
      ['2026-11-02', 'openai', 'gpt-4o', 1234568n],
      ['2026-11-03', 'anthropic', 'claude-sonnet-4-5', 1n],
    ])
  })
})

describe('balanceToTotals', () => {
  const row = (provider: string, model: string, cost_usd: string) => ({ provider, model, cost_usd, events: 1 })
  it('spreads the rounding remainder so each provider × model sums to its total, a micro-dollar per row, never below zero', () => {
    const rows = [
      row('openai', 'gpt-4o', '0.000003'),
      row('openai', 'gpt-4o', '0.000001'),
      row('openai', 'gpt-4o', '0.000001'),
      row('anthropic', 'x', '0.000000'),
    ]
    // five rows of 0.0000005 each rounded up to 1 (total 0.0000025 → 3) …
    const down = balanceToTotals(
      [1, 2, 3, 4, 5].map(() => row('openai', 'gpt-4o', '0.000001')),
      new Map([[keyOfModel('openai', 'gpt-4o'), '0.000003']]),
    )
    expect(down.map((r) => r.cost_usd)).toEqual(['0.000000', '0.000000', '0.000001', '0.000001', '0.000001'])
    const up = balanceToTotals(
      rows,
      new Map([
        [keyOfModel('openai', 'gpt-4o'), '0.000007'],
        [keyOfModel('anthropic', 'x'), '0.000001'],
      ]),
    )
    expect(up.map((r) => r.cost_usd)).toEqual(['0.000004', '0.000002', '0.000001', '0.000001'])
    // a group without a total is left as it is
    expect(balanceToTotals(rows, new Map()).map((r) => r.cost_usd)).toEqual(['0.000003', '0.000001', '0.000001', '0.000000'])
  })
})
