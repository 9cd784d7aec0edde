// GET/POST /api/v1/evals — eval results per workflow step. GET
// (?workflow_id&step): a "read" key or any member. POST {"evals": [...]}:
// a "write" key or routing.write; a run's token totals are recorded as
// inference events with traffic_source "eval" (its cost shows in spend).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { importEvals, listEvals } from '@/lib/routing/evals'
import { ZEvalListQuery, ZEvalsBody } from '@/lib/routing/schema'

export const GET = withOrg(async (_req, { org, query }) => json({ evals: await listEvals(org.orgId, query.workflow_id, query.step) }), {
  scope: 'read', permission: 'metrics.read', query: ZEvalListQuery,
})

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZEvalsBody, await readJson(req, 1024 * 1024), 'Invalid eval results')
    return json(await importEvals(org.orgId, body, { defaultEnvironment: org.defaultEnvironment }), 201)
  },
  { scope: 'write', permission: 'routing.write' },
)
