import { describe, expect, it } from 'vitest'
import { rejectFieldLabel } from '@/lib/observability/metrics'
import { validateEvent } from '@/lib/ingest/schema'
import { validateOutcome } from '@/lib/outcomes/schema'

// The rejects counter's `field` label: only the contract's field names (a client's unknown keys would
// otherwise each become a time series).
describe('rejectFieldLabel', () => {
  const now = new Date('2026-12-01T00:00:00Z')
  const eventErrors = (raw: unknown) => {
    const r = validateEvent(raw, { now })
    if (r.ok) throw new Error('expected a rejection')
    return r.errors
  }
  const base = { id: 'e', workflow_id: 'w', step: 's', provider: 'openai', model: 'm' }

  it('names the known field an event failed on', () => {
    expect(rejectFieldLabel('events', eventErrors({ ...base, tokens_in: -1 }))).toBe('tokens_in')
    expect(rejectFieldLabel('events', eventErrors({ ...base, metadata: { k: 1 } }))).toBe('metadata')
    expect(rejectFieldLabel('events', eventErrors(null))).toBe('(event)')
    expect(rejectFieldLabel('events', eventErrors({ ...base, step: undefined }))).toBe('step')
    const o = validateOutcome({ id: 'o', workflow_id: 'w' }, { now })
    expect(o.ok ? null : rejectFieldLabel('outcomes', o.errors)).toBe('accepted')
  })

  it('counts every unknown or made-up name as "other"', () => {
    for (const key of ['evil_field', 'x'.repeat(500), 'a.b', '', '__proto__x', 'tokens_in_'])
      expect(rejectFieldLabel('events', eventErrors({ ...base, [key]: 1 }))).toBe('other')
    expect(rejectFieldLabel('events', ['evil: made-up line'])).toBe('other')
    expect(rejectFieldLabel('outcomes', ['tokens_in: must be a number'])).toBe('other') // an events field, not an outcomes one
    expect(rejectFieldLabel('events', [])).toBe('other')
  })
})
