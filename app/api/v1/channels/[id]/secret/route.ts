// GET /api/v1/channels/:id/secret — a webhook's signing secret again; signed-in admins only (API keys cannot read it).
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { revealSecret } from '@/lib/notifications/channels'
import { ZChannelId } from '@/lib/notifications/schema'

export const GET = withOrg(
  async (_req, { org, params }) => json({ secret: await revealSecret(org.orgId, parseOrThrow(ZChannelId, { id: params.id }, 'Invalid channel id').id) }),
  { permission: 'members.manage' },
)
