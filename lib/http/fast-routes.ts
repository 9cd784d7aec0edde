import type { TFastRoute } from '@/lib/http/fast'
import { DECIDE_MAX_BYTES, decideWithKey } from '@/lib/decide/http'
import { eventsWithKey, outcomesWithKey } from '@/lib/ingest/http'
import { MAX_BODY_BYTES } from '@/lib/ingest/schema'

/** The endpoints server.ts answers before Next.js for API-key calls (lib/http/fast.ts). */
export const FAST_ROUTES: ReadonlyMap<string, TFastRoute> = new Map([
  ['/api/v1/decide', { maxBytes: DECIDE_MAX_BYTES, answer: decideWithKey }],
  ['/api/v1/events', { maxBytes: MAX_BODY_BYTES, answer: eventsWithKey }],
  ['/api/v1/outcomes', { maxBytes: MAX_BODY_BYTES, answer: outcomesWithKey }],
])
