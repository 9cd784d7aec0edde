// GET/POST /api/v1/decision-record/decisions — a step's saved decisions.
// GET: "read" key or a member with spend.read. POST: "write" key or a session with routing.write (admin, engineer).
import { withOrg } from '@/lib/http/route'
import { listDecisions, saveDecision } from '@/lib/decision-record/decisions'
import * as api from '@/lib/decision-record/api'

export const GET = withOrg(api.listDecisions, async ({ org, query }) => ({ decisions: await listDecisions(org.orgId, query.workflow_id, query.step) }))

export const POST = withOrg(api.saveDecision, async ({ org, body }) => saveDecision(org.orgId, body))
