// POST /api/v1/outcomes — accepted outcomes ("ticket resolved"); API key with the "ingest" scope.
// API-key calls are usually answered by the web server's fast path (lib/ingest/http.ts), alike.
import { withOrg } from '@/lib/http/route'
import { acceptOutcomes } from '@/lib/ingest/accept'
import * as api from '@/lib/ingest/api'

// body: the parsed JSON; acceptOutcomes validates each outcome and keeps the valid ones
export const POST = withOrg(api.ingestOutcomes, ({ org, body }) => acceptOutcomes({ orgId: org.orgId, rateLimit: org.ingestRateLimit }, body))
