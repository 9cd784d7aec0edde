import 'server-only'
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { createHash, randomBytes } from 'node:crypto'
import { pool, prisma } from '@/lib/db'
import { env } from '@/lib/env'
import { AppError, badRequest, unauthorized } from '@/lib/errors'
import { hashPassword, verifyNothing, verifyPassword } from '@/lib/auth/passwords'
import { ZCredentials } from '@/lib/auth/schema'
import { clearThrottle, recordFailure, RULES, takeAttempt, throttled, throttleWait, type TThrottleKey } from '@/lib/auth/throttle'
import { inBackground, sendAlreadyRegisteredMail, sendPasswordResetMail, sendVerificationMail } from '@/lib/auth/account-mail'
import { smtpConfigured } from '@/lib/notifications/mail'
import { createOrgWithAdmin, findUserByEmail } from '@/lib/orgs'
import type { TSignUp } from '@/lib/orgs/schema'
import type { TSignUpAnswer } from '@/lib/auth/schema'

// Accounts: sign-in, sign-up, email verification, password reset and change,
// and the session version every session is checked against.
//
// Policies (docs/accounts-and-members.md, "Accounts and sessions"):
// - Sign-in answers "email or password is wrong" alike for unknown emails and
//   wrong passwords, after the same argon2 work; validation and the throttle
//   come before any hash.
// - Email verification applies when SMTP is configured (SMTP_URL) and
//   EMAIL_VERIFICATION is not "off": a new
//   account cannot sign in until it opened the emailed link; its organization
//   exists but nobody can reach it. Signing in with the right password tells
//   it to verify and offers a new link. Without SMTP there is nothing to
//   verify with: accounts count as verified.
// - Sign-up with SMTP answers "check your email" whether or not the email has
//   an account (the owner of an existing one is emailed instead). Without SMTP
//   it must say that the email is taken (a 409): the throttle bounds how fast
//   anyone can ask.
// - Users' rows have no organization: the queries here are user-level
//   (`// cross-org:` where one runs before any organization is known).

export const verificationRequired = (): boolean => smtpConfigured() && env().EMAIL_VERIFICATION === 'auto'

type TPurpose = 'password_reset' | 'email_verification'
const TOKEN_TTL_MS: Record<TPurpose, number> = { password_reset: HOUR_MS, email_verification: DAY_MS }
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const signInKeys = (email: string, address: string): TThrottleKey[] => [
  { rule: RULES.signInEmail, id: email },
  { rule: RULES.signInAddress, id: address },
]
const mailKeys = (email: string, address: string): TThrottleKey[] => [
  { rule: RULES.mailEmail, id: email },
  { rule: RULES.mailAddress, id: address },
]
const tokenKeys = (address: string): TThrottleKey[] => [{ rule: RULES.tokenAddress, id: address }]

// ------------------------------------------------------------------ sign-in

export type TSignedIn = { id: string; email: string; name: string | null; sessionVersion: number }
export type TSignInResult =
  | { ok: true; user: TSignedIn }
  | { ok: false; reason: 'invalid' | 'unverified' }
  | { ok: false; reason: 'throttled'; retryAfterS: number }

export async function signInWithPassword(credentials: unknown, address: string): Promise<TSignInResult> {
  const c = ZCredentials.safeParse(credentials)
  if (!c.success) return { ok: false, reason: 'invalid' }
  const { email, password } = c.data
  const keys = signInKeys(email, address)
  const wait = await throttleWait(keys)
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterS: Math.ceil(wait / 1000) }
  // cross-org: a user is found by email before any organization is known
  const user = await findUserByEmail(email)
  const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyNothing(password)
  if (!user || !ok) {
    const lock = await recordFailure(keys)
    return lock > 0 ? { ok: false, reason: 'throttled', retryAfterS: Math.ceil(lock / 1000) } : { ok: false, reason: 'invalid' }
  }
  await clearThrottle([keys[0]])
  if (verificationRequired() && !user.emailVerifiedAt) return { ok: false, reason: 'unverified' }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } }
}

/** What every request's session is checked against: null when the user is gone. */
export async function sessionState(userId: string): Promise<{ sessionVersion: number } | null> {
  // cross-org: read for every session before any organization is known (users has no org_id)
  const r = await pool().query<{ session_version: number }>('SELECT session_version FROM users WHERE id = $1', [userId])
  return r.rows[0] ? { sessionVersion: r.rows[0].session_version } : null
}

// ------------------------------------------------------------------ sign-up

export async function signUp(input: TSignUp, address: string): Promise<TSignUpAnswer> {
  const wait = await takeAttempt([
    { rule: RULES.signUpEmail, id: input.email },
    { rule: RULES.signUpAddress, id: address },
  ])
  if (wait > 0) throw throttled(wait, 'sign-up attempts')
  // Hashed before knowing whether the email is taken: both answers cost the same.
  const passwordHash = await hashPassword(input.password)
  if (!verificationRequired()) {
    const { org } = await createOrgWithAdmin(input, { passwordHash })
    return { status: 'created', org_slug: org.slug, org_id: org.id }
  }
  // The rest runs after the answer, so its timing (a new account's transaction or none) tells nothing either.
  inBackground(async () => {
    // cross-org: a user is found by email before any organization is known
    const existing = await findUserByEmail(input.email)
    if (existing) return sendAlreadyRegisteredMail(existing.email)
    try {
      const { userId } = await createOrgWithAdmin(input, { passwordHash, emailVerified: false })
      sendVerificationMail(input.email, await issueToken(userId, 'email_verification'))
    } catch (e) {
      // the same email signed up a moment ago, in parallel: the owner hears of it like any other repeat
      if (!(e instanceof AppError && e.httpStatus === 409)) throw e
      sendAlreadyRegisteredMail(input.email)
    }
  })
  return { status: 'verification_sent' }
}

// ------------------------------------------------------------------ tokens

async function issueToken(userId: string, purpose: TPurpose): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await prisma().userToken.create({ data: { userId, purpose, tokenHash: sha256(token), expiresAt: new Date(Date.now() + TOKEN_TTL_MS[purpose]) } })
  return token
}

/** The token's user, once: a used, expired or unknown token answers null. */
async function consumeToken(token: string, purpose: TPurpose): Promise<string | null> {
  // cross-org: looked up by the token before any organization is known (user-level table)
  const r = await pool().query<{ user_id: string }>(
    `UPDATE user_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id::text`,
    [sha256(token), purpose],
  )
  return r.rows[0]?.user_id ?? null
}

const badToken = (what: string) =>
  badRequest(`This ${what} link is invalid, already used or expired: ask for a new one`, { errors: ['token: is invalid, already used or expired'] })

const mailUnavailable = () =>
  new AppError('email_not_configured', 503, 'Email is not configured on this server (SMTP_URL): ask an administrator of your organization')

// ------------------------------------------------------------------ email verification

export async function verifyEmail(token: string, address: string): Promise<void> {
  const wait = await throttleWait(tokenKeys(address))
  if (wait > 0) throw throttled(wait)
  const userId = await consumeToken(token, 'email_verification')
  if (!userId) {
    const lock = await recordFailure(tokenKeys(address))
    throw lock > 0 ? throttled(lock) : badToken('verification')
  }
  await pool().query('UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [userId])
}

/** The same answer whether the email has an account, is verified already or is unknown. */
export async function resendVerification(email: string, address: string): Promise<void> {
  if (!verificationRequired()) return // without SMTP every account counts as verified
  const wait = await takeAttempt(mailKeys(email, address))
  if (wait > 0) throw throttled(wait, 'email requests')
  inBackground(async () => {
    // cross-org: a user is found by email before any organization is known
    const user = await findUserByEmail(email)
    if (user && !user.emailVerifiedAt) sendVerificationMail(user.email, await issueToken(user.id, 'email_verification'))
  })
}

// ------------------------------------------------------------------ password reset

/** The same answer whether or not the email has an account; the lookup and the email happen after it. */
export async function requestPasswordReset(email: string, address: string): Promise<void> {
  if (!smtpConfigured()) throw mailUnavailable()
  const wait = await takeAttempt(mailKeys(email, address))
  if (wait > 0) throw throttled(wait, 'reset requests')
  inBackground(async () => {
    // cross-org: a user is found by email before any organization is known
    const user = await findUserByEmail(email)
    if (user) sendPasswordResetMail(user.email, await issueToken(user.id, 'password_reset'))
  })
}

/** A valid token sets the new password, ends every session of the user, spends every other reset link, and proves the email. */
export async function resetPassword(token: string, password: string, address: string): Promise<void> {
  const wait = await throttleWait(tokenKeys(address))
  if (wait > 0) throw throttled(wait)
  const userId = await consumeToken(token, 'password_reset')
  if (!userId) {
    const lock = await recordFailure(tokenKeys(address))
    throw lock > 0 ? throttled(lock) : badToken('reset')
  }
  const passwordHash = await hashPassword(password)
  const r = await pool().query<{ email: string }>(
    `WITH spent AS (UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL)
     UPDATE users SET password_hash = $2, session_version = session_version + 1, email_verified_at = coalesce(email_verified_at, now())
     WHERE id = $1 RETURNING email`,
    [userId, passwordHash],
  )
  // the owner proved the address: a lock from someone guessing the old password no longer applies
  if (r.rows[0]) await clearThrottle([signInKeys(r.rows[0].email, address)[0]])
}

// ------------------------------------------------------------------ signed-in user

/** Ends every session of the user (each one's JWT carries the old version). */
export async function signOutEverywhere(userId: string): Promise<void> {
  await pool().query('UPDATE users SET session_version = session_version + 1 WHERE id = $1', [userId])
}

/**
 * Change the password with the current one: every session ends, this one
 * included (the form signs in again with the new password at once).
 */
export async function changePassword(userId: string, current: string, next: string): Promise<void> {
  const keys: TThrottleKey[] = [{ rule: RULES.passwordUser, id: userId }]
  const wait = await throttleWait(keys)
  if (wait > 0) throw throttled(wait, 'wrong passwords')
  const user = await prisma().user.findUnique({ where: { id: userId } })
  if (!user) throw unauthorized('Sign in first')
  if (!(await verifyPassword(user.passwordHash, current))) {
    const lock = await recordFailure(keys)
    if (lock > 0) throw throttled(lock, 'wrong passwords')
    throw badRequest('Please fix the highlighted fields', { errors: ['current_password: is not your current password'] })
  }
  const passwordHash = await hashPassword(next)
  await pool().query('UPDATE users SET password_hash = $2, session_version = session_version + 1 WHERE id = $1', [userId, passwordHash])
  await clearThrottle(keys)
}
