import { describe, expect, it } from 'vitest'
import {
  applyDraftParams,
  barLines,
  defaultLines,
  draftQuery,
  modelLines,
  parseBarLines,
  parseDefaultLines,
  parseDraftParams,
  parseModelLines,
  parseOptionalInt,
} from '@/lib/routing/form'

describe('policy editor text forms', () => {
  it('reads and writes provider/model lines; model names may hold slashes', () => {
    const r = parseModelLines('openai/gpt-4o-mini\n\n  together/meta-llama/Llama-3-8b  \n')
    expect(r).toEqual({
      models: [
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'together', model: 'meta-llama/Llama-3-8b' },
      ],
    })
    expect(modelLines(r.models)).toBe('openai/gpt-4o-mini\ntogether/meta-llama/Llama-3-8b')
    expect(parseModelLines('gpt-4o').error).toBe('line 1: write provider/model, e.g. openai/gpt-4o-mini')
  })

  it('reads and writes metric >= min lines', () => {
    expect(parseBarLines('grounding >= 0.92\nformat_ok ≥ .99')).toEqual({
      bar: [
        { metric: 'grounding', min: 0.92 },
        { metric: 'format_ok', min: 0.99 },
      ],
    })
    expect(barLines([{ metric: 'grounding', min: 0.92 }])).toBe('grounding >= 0.92')
    expect(parseBarLines('grounding 0.9').error).toBe('line 1: write metric >= minimum, e.g. grounding >= 0.92')
  })
})

// What the editor's text box holds is read after linear work: [0-9]*\.?[0-9]+ took seconds on a long run of
// digits followed by a stray character (each run could be split two ways); yielding lets vitest's timeout catch it.
describe('quality bar lines on hostile input', () => {
  it('refuses a long run of digits that is not a number at once, and reads the forms it read', async () => {
    for (const line of [`grounding >= ${'1'.repeat(200_000)}x`, `g>=.${'5'.repeat(200_000)}.`, `${'a'.repeat(200_000)} >= 1 >= 2`]) {
      expect(parseBarLines(`ok >= 0.5\n${line}`)).toEqual({
        bar: [{ metric: 'ok', min: 0.5 }],
        error: 'line 2: write metric >= minimum, e.g. grounding >= 0.92',
      })
      await new Promise((done) => setTimeout(done, 0))
    }
    expect(parseBarLines('a >= 1\nb≥.5\nc>=0.25').bar).toEqual([
      { metric: 'a', min: 1 },
      { metric: 'b', min: 0.5 },
      { metric: 'c', min: 0.25 },
    ])
  })
})

describe('routing defaults as text', () => {
  it('reads workflow = provider/model lines, * for the organization, and writes them back', () => {
    const text = '* = openai/gpt-4o-mini\nsupport = anthropic/claude-3-5-haiku\n\n'
    const r = parseDefaultLines(text)
    expect(r).toEqual({
      defaults: [
        { workflow_id: null, provider: 'openai', model: 'gpt-4o-mini' },
        { workflow_id: 'support', provider: 'anthropic', model: 'claude-3-5-haiku' },
      ],
    })
    expect(defaultLines(r.defaults)).toBe(text.trim())
  })
  it('names the bad line', () => {
    expect(parseDefaultLines('support openai/gpt-4o').error).toMatch(/^line 1: write workflow = provider\/model/)
    expect(parseDefaultLines('a = openai/x\na = openai/y').error).toBe('line 2: a has a default already')
    expect(parseDefaultLines('a = gpt-4o').error).toMatch(/^line 1/)
  })
})

describe('optional whole numbers', () => {
  it('empty is none; digits a number; anything else an error', () => {
    expect(parseOptionalInt(' ')).toEqual({ value: null })
    expect(parseOptionalInt('1,024')).toEqual({ value: 1024 })
    expect(parseOptionalInt('1.5').error).toBe('must be a whole number, or empty for none')
  })
})

describe('a drafted change in the URL (Opportunities → routing editor)', () => {
  const q = (s: string) => new URLSearchParams(s)
  it('needs a workflow and a step; leaves malformed values out', () => {
    expect(parseDraftParams(q('step=s'))).toBeNull()
    expect(parseDraftParams(q('workflow=w&step=s&candidate=nomodel&max_tokens_cap=-3&cache_ttl_s=abc&saving=1e9'))).toEqual({ workflow_id: 'w', step: 's' })
    expect(parseDraftParams(q('workflow=w&step=s&max_tokens_cap=0'))).toEqual({ workflow_id: 'w', step: 's' })
  })

  it('round-trips through draftQuery and pre-fills the form: the candidate added once, the cap and TTL set', () => {
    const d = parseDraftParams(q('workflow=w&step=s&candidate=openai/gpt-4.1-mini&max_tokens_cap=400&cache_ttl_s=86400&saving=2.5'))!
    expect(parseDraftParams(q(draftQuery(d)))).toEqual(d)
    const form = { candidates: 'openai/gpt-4.1', max_tokens_cap: '', cache_ttl_s: '', bar: 'x >= 1' }
    expect(applyDraftParams(form, d)).toEqual({ candidates: 'openai/gpt-4.1\nopenai/gpt-4.1-mini', max_tokens_cap: '400', cache_ttl_s: '86400', bar: 'x >= 1' })
    expect(applyDraftParams({ ...form, candidates: 'openai/gpt-4.1-mini' }, d).candidates).toBe('openai/gpt-4.1-mini')
    expect(applyDraftParams(form, null)).toBe(form)
  })

  it("a decision record's link: several candidates (comma-separated), each added once, and where it came from", () => {
    const d = parseDraftParams(q('workflow=w&step=s&candidates=openai/gpt-4o,anthropic/claude-3-5-haiku,,bad&from=decision-record'))!
    expect(d).toEqual({
      workflow_id: 'w',
      step: 's',
      from: 'decision-record',
      candidates: [
        { provider: 'openai', model: 'gpt-4o' },
        { provider: 'anthropic', model: 'claude-3-5-haiku' },
      ],
    })
    expect(parseDraftParams(q(draftQuery(d)))).toEqual(d)
    const form = { candidates: 'openai/gpt-4o', max_tokens_cap: '', cache_ttl_s: '' }
    expect(applyDraftParams(form, d).candidates).toBe('openai/gpt-4o\nanthropic/claude-3-5-haiku')
    expect(parseDraftParams(q('workflow=w&step=s&from=elsewhere'))).toEqual({ workflow_id: 'w', step: 's' })
  })
})
