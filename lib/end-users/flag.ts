import { END_USER_FLAG } from '@/lib/end-users/schema'
import { toScaled } from '@/lib/cost/money'

// The flag for an end user far above its account (abuse or a runaway integration), on exact micro-dollars.

/** flagged: cost > ratio × the account's median user, cost > the floor, and the account has enough users for a median to mean something. */
export function isFlagged(costUsd: string, medianUsd: string, accountUsers: number): boolean {
  const cost = toScaled(costUsd, 6)
  return (
    accountUsers >= END_USER_FLAG.min_users && cost > toScaled(END_USER_FLAG.floor_usd, 6) && cost > BigInt(END_USER_FLAG.median_ratio) * toScaled(medianUsd, 6)
  )
}
