import type { TFastRoute } from '@/lib/http/fast'
import { decideWithKey, decideWithKeyNow } from '@/lib/decide/http'
import { eventsWithKey, outcomesWithKey } from '@/lib/ingest/http'
import { decide } from '@/lib/decide/api'
import { ingestEvents, ingestOutcomes } from '@/lib/ingest/api'

/** The endpoints server.ts answers before Next.js for API-key calls (lib/http/fast.ts): their declarations give the body limit and, outside production, the answers' check. */
export const FAST_ROUTES: ReadonlyMap<string, TFastRoute> = new Map([
  [decide.path, { endpoint: decide, maxBytes: decide.body.maxBytes, answer: decideWithKey, answerNow: decideWithKeyNow }],
  [ingestEvents.path, { endpoint: ingestEvents, maxBytes: ingestEvents.body.maxBytes, answer: eventsWithKey }],
  [ingestOutcomes.path, { endpoint: ingestOutcomes, maxBytes: ingestOutcomes.body.maxBytes, answer: outcomesWithKey }],
])
