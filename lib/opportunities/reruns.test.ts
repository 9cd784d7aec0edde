import { describe, expect, it } from 'vitest'
import { newReruns, RerunDeltas, rerunsOf, rerunsPerDay, type TRunCall } from '@/lib/opportunities/reruns'

const t0 = Date.parse('2026-11-10T10:00:00Z')
const call = (id: string, minutes: number, outcome: string, cost: string | null = '0.010000', over: Partial<TRunCall> = {}): TRunCall => ({
  event_id: id,
  at: new Date(t0 + minutes * 60_000),
  run_id: 'r1',
  workflow_id: 'wf',
  step: 'draft',
  outcome,
  cost_usd: cost,
  ...over,
})

describe('rerunsOf', () => {
  it('is every call after a success of the step, but not retries and errors (counted as such)', () => {
    const calls = [call('a', 0, 'error'), call('b', 1, 'success'), call('c', 2, 'success'), call('d', 3, 'retry'), call('e', 4, 'fallback')]
    expect([...rerunsOf(calls)].sort()).toEqual(['c', 'e'])
  })

  it('orders calls of the same millisecond by event id', () => {
    expect([...rerunsOf([call('y', 0, 'success'), call('x', 0, 'success')])]).toEqual(['y'])
  })

  it('only counts a success at most 24 hours earlier', () => {
    expect([...rerunsOf([call('a', 0, 'success'), call('b', 24 * 60, 'success'), call('c', 24 * 60 * 2 + 1, 'success')])]).toEqual(['b'])
    expect([...rerunsOf([call('a', 0, 'success'), call('c', 24 * 60 + 1, 'success')])]).toEqual([])
  })
})

describe('newReruns', () => {
  it('counts a batch call after a stored success', () => {
    expect(newReruns([call('a', 0, 'success')], [call('b', 5, 'success')]).map((c) => c.event_id)).toEqual(['b'])
  })

  it('turns stored calls into re-runs when their earlier success arrives late, once', () => {
    const stored = [call('b', 5, 'success'), call('c', 6, 'success')] // c already a re-run (after b)
    expect(newReruns(stored, [call('a', 0, 'success')]).map((c) => c.event_id)).toEqual(['b'])
  })

  it('keeps steps, runs and workflows apart', () => {
    const stored = [call('a', 0, 'success')]
    const fresh = [
      call('b', 1, 'success', '0.1', { step: 'other' }),
      call('c', 1, 'success', '0.1', { run_id: 'r2' }),
      call('d', 1, 'success', '0.1', { workflow_id: 'w2' }),
    ]
    expect(newReruns(stored, fresh)).toEqual([])
  })

  it('ignores stored calls of run steps the batch does not touch, and the batch calls among stored ones', () => {
    const b = call('b', 1, 'success')
    expect(newReruns([call('x', 0, 'success', '1', { step: 's2' }), call('y', 1, 'success', '1', { step: 's2' }), b], [b])).toEqual([])
  })
})

describe('RerunDeltas', () => {
  it('sums re-runs per hour, unpriced and repeat overlap, then per day', () => {
    const d = new RerunDeltas()
    d.addRerun(call('a', 0, 'success', '0.25'), true)
    d.addRerun(call('b', 30, 'success', null), false)
    d.addRerun(call('c', 70, 'success', '0.5'), false)
    d.addCostChange(call('a', 0, 'success'), '0.25', '0.3', true)
    const hourly = d.list()
    expect(hourly.map((r) => [r.hour, r.rerun_calls, r.rerun_cost, r.rerun_unpriced, r.rerun_repeat_cost])).toEqual([
      ['2026-11-10T10:00:00.000Z', 2n, 300_000_000_000n, 1n, 300_000_000_000n],
      ['2026-11-10T11:00:00.000Z', 1n, 500_000_000_000n, 0n, 0n],
    ])
    expect(rerunsPerDay(hourly).map((r) => [r.hour, r.rerun_calls, r.rerun_cost])).toEqual([['2026-11-10T00:00:00.000Z', 3n, 800_000_000_000n]])
  })
})
