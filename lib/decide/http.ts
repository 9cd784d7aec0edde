import { answerWithKey, answerWithKeyNow, type TPlainResponse } from '@/lib/http/fast'
import { parseOrThrow } from '@/lib/validation'
import { decide, decideNow, type TDecideResult } from '@/lib/decide'
import type { TDecideAnswer, TNoPolicyAnswer } from '@/lib/decide/schema'
import { decide as decideEndpoint } from '@/lib/decide/api'

// POST /api/v1/decide as plain data in and out, shared by the Next.js route
// (sessions and keys) and the web server's fast path (lib/http/fast.ts).

export const DECIDE_MAX_BYTES = decideEndpoint.body.maxBytes

export type TDecideReply =
  | { status: 200; body: TDecideAnswer; headers?: Record<string, string> }
  | { status: 404; body: TNoPolicyAnswer; headers?: Record<string, string> }

/** Decide for an organization on a parsed body. Without a policy for the step: 404 with the error and the same fields. */
export async function decideAnswer(orgId: string, raw: unknown, defaultEnvironment: string | null): Promise<TDecideReply> {
  const body = parseOrThrow(decideEndpoint.body.schema, raw, decideEndpoint.body.message)
  return replyOf(await decide(orgId, body, { defaultEnvironment }))
}

function replyOf(r: TDecideResult): TDecideReply {
  const headers = r.answer.budget.retry_after_s !== undefined ? { 'Retry-After': String(r.answer.budget.retry_after_s) } : undefined
  if (r.status === 404)
    return { status: 404, body: { error: { code: 'no_policy', message: r.message ?? 'No published routing policy for this step' }, ...r.answer }, headers }
  return { status: 200, body: r.answer, headers }
}

/** The fast path (server.ts): an "ingest" API key, a JSON body of at most DECIDE_MAX_BYTES (checked by the caller while reading). */
export const decideWithKey = (authorization: string, contentType: string | undefined, bytes: Uint8Array, client = 'unknown'): Promise<TPlainResponse> =>
  answerWithKey(authorization, contentType, bytes, 'ingest', (key, body) => decideAnswer(key.orgId, body, key.defaultEnvironment), client)

/** decideWithKey when this process's memory holds the answer (decideNow); undefined for anything else, a bad body included. */
export const decideWithKeyNow = (authorization: string, contentType: string | undefined, bytes: Uint8Array): TPlainResponse | undefined =>
  answerWithKeyNow(authorization, contentType, bytes, 'ingest', (key, raw) => {
    const body = decideEndpoint.body.schema.safeParse(raw)
    const r = body.success ? decideNow(key.orgId, body.data, { defaultEnvironment: key.defaultEnvironment }) : undefined
    return r && replyOf(r)
  })
