// GET/POST /api/v1/keys — list and create API keys (the creator is the signed-in member); signed-in admin or engineer.
import { withOrg } from '@/lib/http/route'
import { createApiKey, listApiKeys } from '@/lib/auth/api-keys'
import * as api from '@/lib/auth/api'

export const GET = withOrg(api.listApiKeys, async ({ org }) => ({ api_keys: await listApiKeys(org.orgId) }))

export const POST = withOrg(api.createApiKey, async ({ org, body }) => createApiKey(org.orgId, body, { userId: org.userId! }))
