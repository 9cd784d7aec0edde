// GET/POST /api/v1/keys — list and create API keys; signed-in admin or engineer.
import { json, readJson, withOrg } from '@/lib/http/route'
import { badRequest } from '@/lib/errors'
import { issuesToLines } from '@/lib/validation'
import { createApiKey, listApiKeys, ZCreateApiKey } from '@/lib/auth/api-keys'

export const GET = withOrg(async (_req, { org }) => json({ api_keys: await listApiKeys(org.orgId) }), { permission: 'keys.manage' })

export const POST = withOrg(
  async (req, { org }) => {
    const parsed = ZCreateApiKey.safeParse(await readJson(req, 16 * 1024))
    if (!parsed.success) throw badRequest('Invalid API key request', { errors: issuesToLines(parsed.error.issues) })
    return json(await createApiKey(org.orgId, parsed.data), 201)
  },
  { permission: 'keys.manage' },
)
