import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GateRefresher } from '@/lib/budgets/gates-refresh'

// The ingest worker asks for a gate refresh after every batch: per organization
// at most one runs at a time, at most one starts per interval, and a batch that
// arrives during a refresh gets one more refresh after it (never lost).

describe('GateRefresher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function refresher(minIntervalMs = 250) {
    const started: string[] = []
    const finish: (() => void)[] = []
    const r = new GateRefresher({
      minIntervalMs,
      now: () => Date.now(),
      refresh: (orgId) => {
        started.push(orgId)
        return new Promise<void>((resolve) => finish.push(resolve))
      },
    })
    const finishAll = async () => {
      finish.splice(0).forEach((f) => f())
      await vi.advanceTimersByTimeAsync(0)
    }
    return { r, started, finishAll }
  }

  it('starts the first refresh at once', () => {
    const { r, started } = refresher()
    r.request('a')
    expect(started).toEqual(['a'])
  })

  it('coalesces the batches of a running refresh into one more, started no sooner than the interval', async () => {
    const { r, started, finishAll } = refresher(250)
    r.request('a')
    r.request('a')
    r.request('a')
    expect(started).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(100)
    await finishAll()
    expect(started).toEqual(['a']) // 100 ms after the first start: waits for the interval
    await vi.advanceTimersByTimeAsync(149)
    expect(started).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(1)
    expect(started).toEqual(['a', 'a'])
    await finishAll()
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toEqual(['a', 'a']) // nothing asked since: nothing more
  })

  it('runs nothing more when no batch came during the refresh', async () => {
    const { r, started, finishAll } = refresher()
    r.request('a')
    await finishAll()
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toEqual(['a'])
    r.request('a') // long after: at once again
    expect(started).toEqual(['a', 'a'])
  })

  it('keeps organizations apart', () => {
    const { r, started } = refresher()
    r.request('a')
    r.request('b')
    r.request('a')
    expect(started).toEqual(['a', 'b'])
  })

  it('goes on after a failed refresh and reports it', async () => {
    const errors: string[] = []
    let calls = 0
    const r = new GateRefresher({
      minIntervalMs: 0,
      onError: (orgId, e) => errors.push(`${orgId}: ${(e as Error).message}`),
      refresh: async () => {
        calls++
        throw new Error('database away')
      },
    })
    r.request('a')
    await r.idle()
    r.request('a')
    await r.idle()
    expect(calls).toBe(2)
    expect(errors).toEqual(['a: database away', 'a: database away'])
  })
})
