import { describe, expect, it } from 'vitest'
import { promptVersionView, signedPercent } from '@/lib/prompt-versions/view'
import type { TPromptVersionRow } from '@/lib/prompt-versions/schema'

const row = (step: string, v: string, out: number, cached: number, perRun: string | null): TPromptVersionRow => ({
  step,
  prompt_version: v,
  first_seen: '2026-11-01T00:00:00.000Z',
  last_seen: '2026-11-02T00:00:00.000Z',
  calls: 10,
  runs: 10,
  tokens_in: 10_000,
  cached_tokens_in: cached * 10_000,
  tokens_out: out * 10,
  unpriced_events: 0,
  cost_usd: '1.000000',
  tokens_in_per_call: 1000,
  tokens_out_per_call: out,
  cached_share: cached,
  cost_per_call_usd: '0.100000',
  cost_per_run_usd: perRun,
})

describe('promptVersionView', () => {
  it('compares each version with the step’s version before it, never across steps', () => {
    const v = promptVersionView([
      row('classify', 'c1', 10, 0.5, '0.010000'),
      row('generate', 'v1', 400, 0.6, '0.100000'),
      row('generate', 'v2', 500, 0.2, '0.125000'),
    ])
    expect(v.map((r) => r.previous)).toEqual([null, null, 'v1'])
    expect(v[1].tokens_out_change).toBeNull()
    expect(v[2].tokens_out_change).toBeCloseTo(0.25)
    expect(v[2].cached_share_change).toBeCloseTo(-0.4)
    expect(v[2].cost_per_run_change).toBeCloseTo(0.25)
  })
  it('signedPercent', () => {
    expect(signedPercent(0.25)).toBe('+25%')
    expect(signedPercent(-0.08)).toBe('−8%')
    expect(signedPercent(0.001)).toBe('±0%')
    expect(signedPercent(null)).toBe('')
  })
})
