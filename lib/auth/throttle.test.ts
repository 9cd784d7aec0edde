import { describe, expect, it } from 'vitest'
import { humanWait, throttled } from '@/lib/auth/throttle'

describe('humanWait', () => {
  it('rounds up to the unit the user reads', () => {
    expect(humanWait(1)).toBe('1 second')
    expect(humanWait(2500)).toBe('3 seconds')
    expect(humanWait(61_000)).toBe('2 minutes')
    expect(humanWait(60 * 60_000)).toBe('1 hour')
  })
})

describe('throttled', () => {
  it('is a 429 with Retry-After in seconds and a message saying when', () => {
    const e = throttled(90_500, 'sign-in attempts')
    expect(e.httpStatus).toBe(429)
    expect(e.headers).toEqual({ 'Retry-After': '91' })
    expect(e.message).toBe('Too many sign-in attempts. Try again in 2 minutes.')
    expect(e.details).toEqual({ retry_after_s: 91 })
  })
})
