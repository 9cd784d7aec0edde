// POST /api/v1/decide — the run-time answer for one model call: the model
// under the step's routing policy and the budget verdict for the call's scope
// (allow / throttle with retry_after_s / deny). An "ingest" key (the SDK's) or
// any signed-in member. Without a policy for the step: 404 with the error and
// the same fields (the budget verdict still applies). Calls with an API key
// are usually answered by the web server's fast path (server.ts) with the
// same code (lib/decide/http.ts); this route serves the rest.
import { reply, withOrg } from '@/lib/http/route'
import { decideAnswer } from '@/lib/decide/http'
import * as api from '@/lib/decide/api'

export const POST = withOrg(api.decide, async ({ org, body }) => {
  const r = await decideAnswer(org.orgId, body, org.defaultEnvironment)
  return reply(r.status, r.body, r.headers)
})
