import 'server-only'
import { MINUTE_MS } from '@/lib/domain'
import { createHash } from 'node:crypto'
import { env } from '@/lib/env'
import { AppError } from '@/lib/errors'
import { producerConnection, redisAvailable } from '@/lib/queues'
import { log } from '@/lib/log'

// Throttles for the account endpoints (sign-in, sign-up, password reset and
// verification emails, password change), kept in Redis under
// `<QUEUE_PREFIX>:auth:` so every web process shares them. Each rule lets
// `free` failures (or, for takeAttempt, attempts) through, then each further
// one locks the key for baseMs, 2×, 4×, … up to maxMs; a key forgets its count forgetMs after its
// last failure (or after its lock ends). A request made while a key is locked
// is refused before any expensive work (the argon2 hash, an email) and is not
// counted. Keys are SHA-256 of the email or client address, never the value.
// Redis being away fails open (logged): sign-in must not depend on it.

export type TThrottleRule = { name: string; free: number; baseMs: number; maxMs: number; forgetMs: number }

export const RULES = {
  /** wrong passwords for one email, whoever tries */
  signInEmail: { name: 'signin:email', free: 5, baseMs: 2000, maxMs: 15 * MINUTE_MS, forgetMs: 15 * MINUTE_MS },
  /** wrong passwords from one client address, whatever the email (spraying) */
  signInAddress: { name: 'signin:addr', free: 20, baseMs: 2000, maxMs: 15 * MINUTE_MS, forgetMs: 15 * MINUTE_MS },
  /** every sign-up attempt counts */
  signUpEmail: { name: 'signup:email', free: 3, baseMs: MINUTE_MS, maxMs: 60 * MINUTE_MS, forgetMs: 60 * MINUTE_MS },
  signUpAddress: { name: 'signup:addr', free: 20, baseMs: MINUTE_MS, maxMs: 60 * MINUTE_MS, forgetMs: 60 * MINUTE_MS },
  /** emails sent on request (password reset, a new verification link): no mail bombing */
  mailEmail: { name: 'mail:email', free: 3, baseMs: MINUTE_MS, maxMs: 60 * MINUTE_MS, forgetMs: 60 * MINUTE_MS },
  mailAddress: { name: 'mail:addr', free: 20, baseMs: MINUTE_MS, maxMs: 60 * MINUTE_MS, forgetMs: 60 * MINUTE_MS },
  /** invalid or expired reset / verification tokens from one address (guessing) */
  tokenAddress: { name: 'token:addr', free: 20, baseMs: 2000, maxMs: 15 * MINUTE_MS, forgetMs: 15 * MINUTE_MS },
  /** a wrong current password on the change-password form, per user */
  passwordUser: { name: 'password:user', free: 5, baseMs: 2000, maxMs: 15 * MINUTE_MS, forgetMs: 15 * MINUTE_MS },
} satisfies Record<string, TThrottleRule>

export type TThrottleKey = { rule: TThrottleRule; id: string }

// KEYS: the throttle keys; ARGV[1]: mode; then free, base, max, forget per key.
// check: ms until every key is free. fail: count a failure on every key, answer the longest lock now set.
// hit: check, and when free count the attempt (0) — for endpoints where every attempt counts.
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode = ARGV[1]
local wait = 0
for i, k in ipairs(KEYS) do
  local u = tonumber(redis.call('HGET', k, 'until') or '0')
  if u > now and u - now > wait then wait = u - now end
end
if mode == 'check' or (mode == 'hit' and wait > 0) then return wait end
wait = 0
for i, k in ipairs(KEYS) do
  local o = 2 + (i - 1) * 4
  local free, base, max, forget = tonumber(ARGV[o]), tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3])
  local n = redis.call('HINCRBY', k, 'n', 1)
  local lock = 0
  -- fail: the (free+1)th failure locks; hit: the (free)th attempt goes through and locks the next one
  if mode == 'hit' then free = free - 1 end
  if n > free then
    lock = math.min(max, base * 2 ^ math.min(n - free - 1, 40))
    redis.call('HSET', k, 'until', now + lock)
    if lock > wait then wait = lock end
  end
  redis.call('PEXPIRE', k, math.floor(lock + forget))
end
if mode == 'hit' then return 0 end
return wait`

const redisKey = (k: TThrottleKey) => `${env().QUEUE_PREFIX}:auth:${k.rule.name}:${createHash('sha256').update(k.id.toLowerCase()).digest('hex').slice(0, 32)}`

async function run(mode: 'check' | 'fail' | 'hit', keys: TThrottleKey[]): Promise<number> {
  try {
    if (!(await redisAvailable())) throw new Error('Redis is not reachable')
    const args = keys.flatMap((k) => [k.rule.free, k.rule.baseMs, k.rule.maxMs, k.rule.forgetMs])
    return Number(await producerConnection().eval(SCRIPT, keys.length, ...keys.map(redisKey), mode, ...args))
  } catch (e) {
    log({ component: 'auth' }).error({ err: e }, 'throttle unavailable, letting the request through')
    return 0
  }
}

/** Milliseconds until every key may try again (0: now). Counts nothing. */
export const throttleWait = (keys: TThrottleKey[]): Promise<number> => run('check', keys)
/** Count a failure on every key; answers the lock it set (0: none yet). */
export const recordFailure = (keys: TThrottleKey[]): Promise<number> => run('fail', keys)
/** For endpoints where every attempt counts: refused (ms to wait) while locked, else counted and 0. */
export const takeAttempt = (keys: TThrottleKey[]): Promise<number> => run('hit', keys)

export async function clearThrottle(keys: TThrottleKey[]): Promise<void> {
  try {
    if (await redisAvailable()) await producerConnection().del(...keys.map(redisKey))
  } catch {
    // a count left behind expires on its own
  }
}

/** "3 seconds", "2 minutes", "1 hour": how long the user waits, rounded up. */
export function humanWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`
  const m = Math.ceil(s / 60)
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`
  const h = Math.ceil(m / 60)
  return `${h} hour${h === 1 ? '' : 's'}`
}

/** 429 with Retry-After, a message saying when to retry and `retry_after_s` in the details for forms. */
export function throttled(waitMs: number, what = 'attempts'): AppError {
  const s = Math.max(1, Math.ceil(waitMs / 1000))
  return new AppError('rate_limited', 429, `Too many ${what}. Try again in ${humanWait(waitMs)}.`, { retry_after_s: s }, { 'Retry-After': String(s) })
}
