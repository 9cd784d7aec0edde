import { describe, expect, it } from 'vitest'
import { addDisplaced, planRepeats, type TFirstCall, type TRepeatCall } from '@/lib/opportunities/repeats'

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 2, h, m))
const call = (id: string, when: Date, extra: Partial<TRepeatCall> = {}): TRepeatCall => ({
  event_id: id,
  at: when,
  workflow_id: 'wf',
  step: 'classify',
  input_hash: 'h1',
  output_hash: null,
  cost_usd: '0.001000000000',
  outcome: 'success',
  ...extra,
})
const first = (c: TRepeatCall): TFirstCall => ({
  workflow_id: c.workflow_id,
  step: c.step,
  input_hash: c.input_hash,
  first_at: c.at,
  first_event_id: c.event_id,
  first_output_hash: c.output_hash,
})
const rows = (plan: ReturnType<typeof planRepeats>) =>
  plan.deltas.list().map((r) => ({
    hour: r.hour.slice(11, 13),
    repeats: Number(r.repeat_calls),
    cost: r.repeat_cost.toString(),
    firsts: Number(r.first_calls),
    compared: Number(r.output_compared),
    matched: Number(r.output_matched),
    waste: r.waste_repeat_cost.toString(),
    unpriced: Number(r.repeat_unpriced),
  }))

describe('planRepeats', () => {
  it('a new input: its earliest call (just stored as first) is no repeat, the others are, each in its own hour', () => {
    const a = call('a', at(9, 10), { output_hash: 'o1' })
    const b = call('b', at(9, 20), { output_hash: 'o1', cost_usd: '0.002000000000' })
    const c = call('c', at(10, 5), { output_hash: 'o2', outcome: 'retry' })
    const plan = planRepeats([first(a)], [c, b, a])
    expect(rows(plan)).toEqual([
      { hour: '09', repeats: 1, cost: '2000000000', firsts: 1, compared: 1, matched: 1, waste: '0', unpriced: 0 },
      { hour: '10', repeats: 1, cost: '1000000000', firsts: 0, compared: 1, matched: 0, waste: '1000000000', unpriced: 0 },
    ])
    expect(plan.moved).toEqual([])
  })

  it('an input already seen: every new call repeats it, compared with the stored first output', () => {
    const old = call('old', at(8), { output_hash: 'o1' })
    const plan = planRepeats([first(old)], [call('x', at(9), { output_hash: 'o1' }), call('y', at(9, 30), { cost_usd: null })])
    expect(rows(plan)).toEqual([{ hour: '09', repeats: 2, cost: '1000000000', firsts: 0, compared: 1, matched: 1, waste: '0', unpriced: 1 }])
  })

  it('a late call older than the stored first takes its place; the old first becomes a repeat at its stored cost', () => {
    const old = call('old', at(10), { output_hash: 'o1' })
    const late = call('late', at(9), { output_hash: 'o1' })
    const plan = planRepeats([first(old)], [late])
    expect(plan.moved).toEqual([expect.objectContaining({ first_event_id: 'late', first_at: at(9) })])
    addDisplaced(plan, new Map([['old', { cost_usd: '0.005000000000', outcome: 'error' }]]))
    expect(rows(plan)).toEqual([
      { hour: '09', repeats: 0, cost: '0', firsts: 1, compared: 0, matched: 0, waste: '0', unpriced: 0 },
      { hour: '10', repeats: 1, cost: '5000000000', firsts: -1, compared: 1, matched: 1, waste: '5000000000', unpriced: 0 },
    ])
  })

  it('same timestamp: the smaller event id is the first', () => {
    const b = call('b', at(9))
    const plan = planRepeats([first(b)], [call('a', at(9))])
    expect(plan.moved.map((m) => m.first_event_id)).toEqual(['a'])
  })

  it('keeps inputs of other steps and workflows apart', () => {
    const a = call('a', at(9))
    const other = call('o', at(9, 1), { step: 'generate' })
    const plan = planRepeats([first(a), first(other)], [a, other])
    expect(rows(plan).map((r) => [r.repeats, r.firsts])).toEqual([
      [0, 1],
      [0, 1],
    ])
  })
})
