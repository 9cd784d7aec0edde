// POST /api/v1/outcomes — accepted outcomes ("ticket resolved"); API key with the "ingest" scope.
import { json, readJson, withOrg } from '@/lib/http/route'
import { acceptOutcomes } from '@/lib/ingest/accept'
import { MAX_BODY_BYTES } from '@/lib/ingest/schema'

export const POST = withOrg(
  async (req, { org }) => {
    const body = await readJson(req, MAX_BODY_BYTES)
    return json(await acceptOutcomes({ orgId: org.orgId, rateLimit: org.ingestRateLimit }, body), 202)
  },
  { scope: 'ingest', permission: null },
)
