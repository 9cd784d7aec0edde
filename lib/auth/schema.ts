import { z } from 'zod'

// Account endpoints' inputs; shared by the routes and the forms (client-safe: no server imports).

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(320, 'must be at most 320 characters')
  .pipe(z.email({ error: 'must be a valid email address' }))

/** The longest address mail can be delivered to (RFC 5321's 256-octet path, less its angle brackets). */
export const DELIVERABLE_EMAIL_MAX = 254

/** An address Outlay will send mail to (a sign-up's, an invitation's, a member added by the CLI): as ZEmail, and at most 254 characters. */
export const ZDeliverableEmail = z
  .string()
  .trim()
  .max(DELIVERABLE_EMAIL_MAX, `must be at most ${DELIVERABLE_EMAIL_MAX} characters (the longest address mail can be delivered to)`)
  .pipe(ZEmail)
export const ZNewPassword = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters')
/** 32 random bytes, base64url: anything else is refused before the database is asked */
export const ZToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a valid link token')

/** Sign-in: bounded so nobody makes the server hash a megabyte. */
export const ZCredentials = z.object({ email: z.string().trim().toLowerCase().min(3).max(320), password: z.string().min(1).max(200) })

export const ZPasswordResetRequest = z.strictObject({ email: ZEmail })
export type TPasswordResetRequest = z.infer<typeof ZPasswordResetRequest>

export const ZPasswordResetConfirm = z.strictObject({ token: ZToken, password: ZNewPassword })
export type TPasswordResetConfirm = z.infer<typeof ZPasswordResetConfirm>

export const ZVerifyEmail = z.strictObject({ token: ZToken })
export type TVerifyEmail = z.infer<typeof ZVerifyEmail>

export const ZResendVerification = z.strictObject({ email: ZEmail })
export type TResendVerification = z.infer<typeof ZResendVerification>

export const ZChangePassword = z
  .strictObject({ current_password: z.string().min(1, 'is required').max(200), new_password: ZNewPassword })
  .refine((v) => v.current_password !== v.new_password, { path: ['new_password'], message: 'must differ from the current password' })
export type TChangePassword = z.infer<typeof ZChangePassword>

/** Answers of the account endpoints. */
export const ZSignUpAnswer = z.union([
  z.object({ status: z.literal('created'), org_slug: z.string(), org_id: z.string() }),
  z.object({ status: z.literal('verification_sent') }),
])
export type TSignUpAnswer = z.infer<typeof ZSignUpAnswer>
export const ZAccepted = z.object({ status: z.literal('accepted') })
export const ZDone = z.object({ status: z.literal('ok') })
export type TAccepted = z.infer<typeof ZAccepted>
export type TDone = z.infer<typeof ZDone>
