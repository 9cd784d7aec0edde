// POST /api/v1/decide — the run-time answer for one model call: the model
// under the step's routing policy and the budget verdict for the call's scope
// (allow / throttle with retry_after_s / deny). An "ingest" key (the SDK's) or
// any signed-in member. Without a policy for the step: 404 with the error and
// the same fields (the budget verdict still applies).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { decide } from '@/lib/decide'
import { ZDecideRequest } from '@/lib/decide/schema'

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZDecideRequest, await readJson(req, 16 * 1024), 'Invalid decide request')
    const r = await decide(org.orgId, body, { defaultEnvironment: org.defaultEnvironment })
    const headers = r.answer.budget.retry_after_s !== undefined ? { 'Retry-After': String(r.answer.budget.retry_after_s) } : undefined
    if (r.status === 404) return json({ error: { code: 'no_policy', message: r.message }, ...r.answer }, 404, headers)
    return json(r.answer, 200, headers)
  },
  { scope: 'ingest', permission: 'metrics.read' },
)
