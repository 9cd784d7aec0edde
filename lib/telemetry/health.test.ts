import { describe, expect, it } from 'vitest'
import { describeSource, telemetryHealth, type THealthRow } from '@/lib/telemetry/health'
import { HEALTH_FIELDS } from '@/lib/telemetry/schema'

const none = { calls: 0, cost_usd: '0' }
const row = (
  source: string | null,
  workflow_id: string,
  step: string,
  calls: number,
  cost: string,
  missing: Partial<THealthRow['missing']> = {},
): THealthRow => ({
  source,
  workflow_id,
  step,
  calls,
  cost_usd: cost,
  unpriced_calls: 0,
  missing: { ...Object.fromEntries([...HEALTH_FIELDS, 'any'].map((f) => [f, none])), ...missing } as THealthRow['missing'],
  unlabeled: source === 'gateway' ? (missing.workflow_id ?? none) : none,
})

describe('telemetryHealth', () => {
  const a = telemetryHealth({
    from: new Date('2026-12-01T00:00:00Z'),
    to: new Date('2026-12-08T00:00:00Z'),
    names: new Map([['key:k1', 'backend (outlay_sk_ab…)']]),
    rows: [
      row('key:k1', 'support', 'draft', 10, '1.000000000000', {
        account_id: { calls: 4, cost_usd: '0.250000000000' },
        any: { calls: 4, cost_usd: '0.250000000000' },
      }),
      row('key:k1', 'support', 'triage', 10, '3.000000000000'),
      row('gateway', 'unlabeled', 'unlabeled', 2, '0.000000500000', {
        workflow_id: { calls: 2, cost_usd: '0.000000500000' },
        step: { calls: 2, cost_usd: '0.000000500000' },
        any: { calls: 2, cost_usd: '0.000000500000' },
      }),
    ],
  })

  it('gives per source the share of calls and of spend lacking each field, most spend first', () => {
    expect(a.sources.map((s) => [s.source, s.label, s.calls, s.cost_usd])).toEqual([
      ['key:k1', 'API key backend (outlay_sk_ab…)', 20, '4.000000'],
      ['gateway', 'Gateway', 2, '0.000001'], // half a micro-dollar rounds up
    ])
    expect(a.sources[0].missing.account_id).toEqual({ calls: 4, cost_usd: '0.250000', share_of_calls: 0.2, share_of_spend: 0.0625 })
    expect(a.sources[0].missing.owner).toEqual({ calls: 0, cost_usd: '0.000000', share_of_calls: 0, share_of_spend: 0 })
  })

  it('lists only the routes that lack a field, with what they lack', () => {
    expect(a.sources[0].routes).toEqual([
      { workflow_id: 'support', step: 'draft', calls: 10, cost_usd: '1.000000', lacks: ['account_id'], missing_calls: 4, missing_cost_usd: '0.250000' },
    ])
    expect(a.sources[1].routes[0].lacks).toEqual(['workflow_id', 'step'])
  })

  it('counts unlabeled gateway calls, and the organization’s totals', () => {
    expect(a.unlabeled_gateway).toEqual({ calls: 2, cost_usd: '0.000001' })
    expect(a.calls).toBe(22)
    expect(a.missing.account_id.share_of_calls).toBe(0.1818)
  })

  it('answers no sources, and null shares, for a range without events', () => {
    const e = telemetryHealth({ from: new Date(0), to: new Date(1), names: new Map(), rows: [] })
    expect(e.sources).toEqual([])
    expect(e.missing.step.share_of_calls).toBeNull()
  })
})

describe('describeSource', () => {
  it('names each kind of source', () => {
    const names = new Map([['member:u1', 'Dana']])
    expect(describeSource(null, names)).toEqual({ kind: 'unknown', label: 'Before sources were recorded' })
    expect(describeSource('otel:support-api', names)).toEqual({ kind: 'otel', label: 'OpenTelemetry service support-api' })
    expect(describeSource('member:u1', names)).toEqual({ kind: 'member', label: 'Member Dana' })
    expect(describeSource('key:0123456789', names)).toEqual({ kind: 'api_key', label: 'API key 01234567… (deleted)' })
    expect(describeSource('evals', names)).toEqual({ kind: 'evals', label: 'Eval runs' })
  })
})
