import { AppError, errorToResponse, forbidden, unauthorized } from '@/lib/errors'
import { parseJsonBytes } from '@/lib/http/body'
import { verifyApiKey } from '@/lib/auth/api-keys'
import { parseOrThrow } from '@/lib/validation'
import { decide } from '@/lib/decide'
import { ZDecideRequest } from '@/lib/decide/schema'

// POST /api/v1/decide as plain data in and out, shared by the Next.js route
// (sessions and keys) and the web server's fast path (API keys, before
// Next's request pipeline: see server.ts).

export const DECIDE_MAX_BYTES = 16 * 1024
export type TPlainResponse = { status: number; body: unknown; headers?: Record<string, string> }

/** Decide for an organization on a parsed body. Without a policy for the step: 404 with the error and the same fields. */
export async function decideAnswer(orgId: string, raw: unknown, defaultEnvironment: string | null): Promise<TPlainResponse> {
  const body = parseOrThrow(ZDecideRequest, raw, 'Invalid decide request')
  const r = await decide(orgId, body, { defaultEnvironment })
  const headers = r.answer.budget.retry_after_s !== undefined ? { 'Retry-After': String(r.answer.budget.retry_after_s) } : undefined
  if (r.status === 404) return { status: 404, body: { error: { code: 'no_policy', message: r.message }, ...r.answer }, headers }
  return { status: 200, body: r.answer, headers }
}

/** The fast path: an "ingest" API key, a JSON body of at most DECIDE_MAX_BYTES (checked by the caller while reading). */
export async function decideWithKey(authorization: string, contentType: string | undefined, bytes: Uint8Array): Promise<TPlainResponse> {
  try {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization)
    if (!m) throw unauthorized('Authorization header must be "Bearer <api key>"')
    const key = await verifyApiKey(m[1])
    if (!key) throw unauthorized('Invalid or revoked API key')
    if (!key.scopes.includes('ingest')) throw forbidden('This API key lacks the "ingest" scope')
    if (!/^application\/json\b/i.test(contentType ?? '')) throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json')
    return await decideAnswer(key.orgId, parseJsonBytes(bytes), key.defaultEnvironment)
  } catch (e) {
    const r = errorToResponse(e)
    return { status: r.status, body: r.body, headers: r.headers }
  }
}
