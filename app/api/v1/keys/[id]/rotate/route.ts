// POST /api/v1/keys/:id/rotate — a new key in place of this one, which stays valid until overlap_until; signed-in admin or engineer.
import { withOrg } from '@/lib/http/route'
import { rotateApiKey } from '@/lib/auth/api-keys'
import * as api from '@/lib/auth/api'

export const POST = withOrg(api.rotateApiKey, async ({ org, params, body }) => rotateApiKey(org.orgId, params.id, body, { userId: org.userId! }))
