import { describe, expect, it } from 'vitest'
import { changeLines, specLines, valueText } from '@/lib/routing/diff-text'
import { diffSpecs } from '@/lib/routing/select'
import type { TPolicySpec } from '@/lib/routing/schema'

const mini = { provider: 'openai', model: 'gpt-4o-mini' }
const big = { provider: 'openai', model: 'gpt-4o' }
const haiku = { provider: 'anthropic', model: 'claude-3-5-haiku' }
const spec = (over: Partial<TPolicySpec> = {}): TPolicySpec => ({
  quality_bar: [{ metric: 'grounding', min: 0.92 }],
  candidates: [big, haiku],
  selection: 'cheapest_clearing',
  eval_set: null,
  cascade: null,
  fallback: null,
  canary: null,
  ...over,
})

describe('version history in words', () => {
  it('reads each changed field as old → new, never raw JSON', () => {
    const a = spec({ cascade: { models: [haiku, big], confidence_threshold: 0.7 } })
    const b = spec({
      quality_bar: [{ metric: 'grounding', min: 0.9 }],
      candidates: [big, mini],
      cascade: { models: [mini, haiku, big], confidence_threshold: 0.6, confidence_from: 'json_field', confidence_field: 'meta.score' },
      fallback: haiku,
      fallbacks: [mini],
      max_tokens_cap: 1024,
      cache_ttl_s: 600,
      canary: { share_pct: 20, stable_by: 'run_id' },
    })
    const lines = changeLines(diffSpecs(a, b))
    expect(lines.map(({ label, from, to }) => `${label}: ${from} → ${to}`)).toEqual([
      'Quality bar: grounding: ≥ 0.92 → ≥ 0.9',
      'Candidates: — → added openai/gpt-4o-mini',
      'Candidates: anthropic/claude-3-5-haiku → removed',
      'Cascade: anthropic/claude-3-5-haiku → openai/gpt-4o, escalating below 0.7 (the reported confidence) → openai/gpt-4o-mini → anthropic/claude-3-5-haiku → openai/gpt-4o, escalating below 0.6 (the JSON field meta.score)',
      'Fallback: none → anthropic/claude-3-5-haiku',
      'Further fallbacks: none → openai/gpt-4o-mini',
      'Output cap: none → 1,024 tokens',
      'Response cache: off → 600 s',
      'Canary: none (all traffic) → 20% of runs',
    ])
    for (const l of lines) {
      expect(l.from).not.toMatch(/[{}"]/)
      expect(l.to).not.toMatch(/[{}"]/)
    }
  })

  it('says what an absent value means, and a metric dropped from the bar', () => {
    expect(changeLines(diffSpecs(spec({ canary: { share_pct: 10, stable_by: 'account_id' }, max_tokens_cap: 300 }), spec({ quality_bar: [] })))).toEqual([
      { field: 'quality_bar.grounding', label: 'Quality bar: grounding', from: '≥ 0.92', to: 'not required' },
      { field: 'max_tokens_cap', label: 'Output cap', from: '300 tokens', to: 'none' },
      { field: 'canary', label: 'Canary', from: '10% of accounts', to: 'none (all traffic)' },
    ])
    expect(valueText('eval_set', null)).toBe('any set (latest result)')
  })

  it("lists a first version's rules", () => {
    expect(specLines(spec({ fallback: big, fallbacks: [mini] }))).toEqual([
      { label: 'Candidates', value: 'openai/gpt-4o, anthropic/claude-3-5-haiku' },
      { label: 'Quality bar', value: 'grounding ≥ 0.92' },
      { label: 'Selection', value: 'cheapest clearing the bar' },
      { label: 'Eval set', value: 'any set (latest result)' },
      { label: 'Cascade', value: 'none' },
      { label: 'Fallbacks', value: 'openai/gpt-4o, openai/gpt-4o-mini' },
      { label: 'Output cap', value: 'none' },
      { label: 'Response cache', value: 'off' },
      { label: 'Canary', value: 'none (all traffic)' },
    ])
  })
})
