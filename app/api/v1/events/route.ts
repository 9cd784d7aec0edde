// POST /api/v1/events — ingest inference events; API key with the "ingest" scope.
// API-key calls are usually answered by the web server's fast path (lib/ingest/http.ts), alike.
import { withOrg } from '@/lib/http/route'
import { acceptEvents, sourceOf } from '@/lib/ingest/accept'
import * as api from '@/lib/ingest/api'

// body: the parsed JSON; acceptEvents validates each event and keeps the valid ones
export const POST = withOrg(api.ingestEvents, ({ org, body }) =>
  acceptEvents({ orgId: org.orgId, defaultEnvironment: org.defaultEnvironment, rateLimit: org.ingestRateLimit, source: sourceOf(org.actor) }, body),
)
