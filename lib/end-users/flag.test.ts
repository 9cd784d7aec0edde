import { describe, expect, it } from 'vitest'
import { isFlagged } from '@/lib/end-users/flag'

describe('isFlagged: > 20× the account median, > $1, in an account with 5+ users', () => {
  it('flags a user far above the median', () => expect(isFlagged('21.000000', '1.000000', 5)).toBe(true))
  it('not at exactly 20×', () => expect(isFlagged('20.000000', '1.000000', 5)).toBe(false))
  it('not under the floor, however far above the median', () => expect(isFlagged('0.900000', '0.001000', 50)).toBe(false))
  it('not in an account with too few users for a median', () => expect(isFlagged('50.000000', '1.000000', 4)).toBe(false))
  it('a zero median: any user above the floor', () => expect(isFlagged('1.500000', '0', 6)).toBe(true))
})
