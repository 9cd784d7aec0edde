// GET/POST /api/v1/keys — list and create API keys (the creator is the signed-in member); signed-in admin or engineer.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createApiKey, listApiKeys, ZCreateApiKey } from '@/lib/auth/api-keys'

export const GET = withOrg(async (_req, { org }) => json({ api_keys: await listApiKeys(org.orgId) }), { permission: 'keys.manage' })

export const POST = withOrg(
  async (req, { org }) => {
    const input = parseOrThrow(ZCreateApiKey, await readJson(req, 16 * 1024), 'Invalid API key request')
    return json(await createApiKey(org.orgId, input, { userId: org.userId! }), 201)
  },
  { permission: 'keys.manage' },
)
