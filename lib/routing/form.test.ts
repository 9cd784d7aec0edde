import { describe, expect, it } from 'vitest'
import { barLines, modelLines, parseBarLines, parseModelLines } from '@/lib/routing/form'

describe('policy editor text forms', () => {
  it('reads and writes provider/model lines; model names may hold slashes', () => {
    const r = parseModelLines('openai/gpt-4o-mini\n\n  together/meta-llama/Llama-3-8b  \n')
    expect(r).toEqual({ models: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'together', model: 'meta-llama/Llama-3-8b' }] })
    expect(modelLines(r.models)).toBe('openai/gpt-4o-mini\ntogether/meta-llama/Llama-3-8b')
    expect(parseModelLines('gpt-4o').error).toBe('line 1: write provider/model, e.g. openai/gpt-4o-mini')
  })

  it('reads and writes metric >= min lines', () => {
    expect(parseBarLines('grounding >= 0.92\nformat_ok ≥ .99')).toEqual({ bar: [{ metric: 'grounding', min: 0.92 }, { metric: 'format_ok', min: 0.99 }] })
    expect(barLines([{ metric: 'grounding', min: 0.92 }])).toBe('grounding >= 0.92')
    expect(parseBarLines('grounding 0.9').error).toBe('line 1: write metric >= minimum, e.g. grounding >= 0.92')
  })
})
