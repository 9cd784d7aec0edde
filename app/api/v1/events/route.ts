// POST /api/v1/events — ingest inference events; API key with the "ingest" scope.
import { json, readJson, withOrg } from '@/lib/http/route'
import { acceptEvents } from '@/lib/ingest/accept'
import { MAX_BODY_BYTES } from '@/lib/ingest/schema'

export const POST = withOrg(
  async (req, { org }) => {
    const body = await readJson(req, MAX_BODY_BYTES)
    const answer = await acceptEvents({ orgId: org.orgId, defaultEnvironment: org.defaultEnvironment, rateLimit: org.ingestRateLimit }, body)
    return json(answer, 202)
  },
  { scope: 'ingest', permission: null },
)
