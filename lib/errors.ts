import { z } from 'zod'

// Typed errors with a code and an HTTP status, mapped to one body shape:
// {"error": {"code", "message", "details"?}}. The codes are a closed set: a
// client can switch on them, and the OpenAPI document lists them.

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  /** a routing policy that cannot be published as it stands */
  'not_publishable',
  /** POST /api/v1/decide: the step has no published policy (the answer also carries the caller's default) */
  'no_policy',
  /** a signed-in session's change sent from another site's page (CSRF refused) */
  'cross_origin_request',
  'invitation_invalid',
  /** an invitation for an email that already has an account: sign in first */
  'sign_in_required',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'email_not_configured',
  'internal',
] as const
export type TErrorCode = (typeof ERROR_CODES)[number]

export const ZErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'what went wrong, for a person' }),
      details: z.unknown().optional().meta({ description: 'for validation errors: {"errors": ["field: reason", …]}' }),
    }),
  })
  .meta({ description: 'Every error answer has this shape.' })

export class AppError extends Error {
  constructor(
    public readonly code: TErrorCode,
    public readonly httpStatus: number,
    message: string,
    public readonly details?: unknown,
    public readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError('bad_request', 400, message, details)
export const unauthorized = (message = 'Missing or invalid credentials') => new AppError('unauthorized', 401, message)
export const forbidden = (message = 'You do not have permission for this') => new AppError('forbidden', 403, message)
export const notFound = (message = 'Not found') => new AppError('not_found', 404, message)
export const conflict = (message: string) => new AppError('conflict', 409, message)
export const payloadTooLarge = (message: string) => new AppError('payload_too_large', 413, message)
export const tooManyRequests = (message: string, retryAfterS: number) =>
  new AppError('rate_limited', 429, message, undefined, { 'Retry-After': String(retryAfterS) })

export type TErrorBody = z.infer<typeof ZErrorBody>

/**
 * The answer to an error. Anything but an AppError is a bug, answered 500 without its details and handed to
 * `logUnexpected` (the server's logUnexpected of lib/log.ts: this module is also bundled for the browser, so it
 * cannot log itself).
 */
export function errorToResponse(e: unknown, logUnexpected: (e: unknown) => void): { status: number; body: TErrorBody; headers?: Record<string, string> } {
  if (e instanceof AppError) {
    return {
      status: e.httpStatus,
      body: { error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } },
      headers: e.headers,
    }
  }
  logUnexpected(e)
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } }
}

/** Prisma's unique-constraint violation, detected by its code, not message text. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  const code = (e as { code?: string }).code
  return code === 'P2002' || code === '23505'
}
