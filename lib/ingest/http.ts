import { answerWithKey, type TPlainResponse } from '@/lib/http/fast'
import { acceptEvents, acceptOutcomes } from '@/lib/ingest/accept'

// POST /api/v1/events and /api/v1/outcomes on the web server's fast path
// (lib/http/fast.ts): the same acceptance as their Next.js routes.

// client: the caller's address (lib/http/client-address.ts), for the throttle on invalid keys
type TAnswer = (authorization: string, contentType: string | undefined, bytes: Uint8Array, client?: string) => Promise<TPlainResponse>

export const eventsWithKey: TAnswer = (authorization, contentType, bytes, client = 'unknown') =>
  answerWithKey(
    authorization,
    contentType,
    bytes,
    'ingest',
    async (key, body) => ({
      status: 202,
      body: await acceptEvents(
        { orgId: key.orgId, defaultEnvironment: key.defaultEnvironment, rateLimit: key.ingestRateLimit, source: `key:${key.keyId}` },
        body,
      ),
    }),
    client,
  )

export const outcomesWithKey: TAnswer = (authorization, contentType, bytes, client = 'unknown') =>
  answerWithKey(
    authorization,
    contentType,
    bytes,
    'ingest',
    async (key, body) => ({
      status: 202,
      body: await acceptOutcomes({ orgId: key.orgId, rateLimit: key.ingestRateLimit }, body),
    }),
    client,
  )
