// GET/POST /api/v1/evals — eval results per workflow step. GET
// (?workflow_id&step): a "read" key or any member. POST {"evals": [...]}:
// a "write" key or routing.write; a run's token totals are recorded as
// inference events with traffic_source "eval" (its cost shows in spend).
import { withOrg } from '@/lib/http/route'
import { importEvals, listEvals } from '@/lib/routing/evals'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.listEvals, async ({ org, query }) => ({ evals: await listEvals(org.orgId, query.workflow_id, query.step) }))

export const POST = withOrg(api.importEvals, ({ org, body }) => importEvals(org.orgId, body, { defaultEnvironment: org.defaultEnvironment }))
