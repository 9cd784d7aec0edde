// GET /api/v1/decision-record — a workflow step's decision record filled from data;
// API key with "read", or a signed-in member. format=markdown answers text/markdown.
import { withOrg } from '@/lib/http/route'
import { loadDecisionRecord } from '@/lib/decision-record/load'
import { decisionRecordMarkdown } from '@/lib/decision-record/record'
import * as api from '@/lib/decision-record/api'

export const GET = withOrg(api.decisionRecord, async ({ org, query }) => {
  const record = await loadDecisionRecord(org.orgId, query)
  if (query.format === 'markdown') return new Response(decisionRecordMarkdown(record), { headers: { 'content-type': 'text/markdown; charset=utf-8' } })
  return record
})
