// DELETE /api/v1/alerts/mutes/:id — unmute now; "write" key or alerts.write.
import { withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { unmute } from '@/lib/alerts'
import { ZMuteId } from '@/lib/alerts/schema'

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await unmute(org.orgId, parseOrThrow(ZMuteId, { id: params.id }, 'Invalid mute id').id)
    return new Response(null, { status: 204 })
  },
  { scope: 'write', permission: 'alerts.write' },
)
