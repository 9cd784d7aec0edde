import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { openLoop } from './open-loop'

describe('openLoop', () => {
  it('sends every request in order, never before its scheduled time, each with that time', async () => {
    const t0 = performance.now() + 5
    const at = (i: number) => t0 + i * 0.5 // 2,000 requests/s
    const sent: { i: number; scheduled: number; now: number }[] = []
    await new Promise<void>((resolve) =>
      openLoop(40, at, (i, scheduled) => {
        sent.push({ i, scheduled, now: performance.now() })
        if (i === 39) resolve()
      }),
    )
    expect(sent.map((s) => s.i)).toEqual([...Array(40).keys()])
    for (const s of sent) {
      expect(s.scheduled).toBe(at(s.i))
      expect(s.now).toBeGreaterThanOrEqual(s.scheduled)
    }
  })

  it('sends nothing for an empty schedule', () => {
    let n = 0
    openLoop(
      0,
      () => 0,
      () => n++,
    )
    expect(n).toBe(0)
  })
})
