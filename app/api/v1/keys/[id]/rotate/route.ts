// POST /api/v1/keys/:id/rotate — a new key in place of this one, which stays valid until overlap_until; signed-in admin or engineer.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { rotateApiKey, ZRotateApiKey } from '@/lib/auth/api-keys'

export const POST = withOrg(
  async (req, { org, params }) => {
    // the body is optional: without one, the default overlap
    const body = req.headers.get('content-type') ? await readJson(req, 16 * 1024) : {}
    const input = parseOrThrow(ZRotateApiKey, body, 'Invalid rotation request')
    return json(await rotateApiKey(org.orgId, params.id, input, { userId: org.userId! }), 201)
  },
  { permission: 'keys.manage' },
)
