// GET /api/v1/channels/:id/deliveries?limit — the channel's delivery log, newest first, each attempt with its status code, duration and error; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { listDeliveries } from '@/lib/notifications/channels'
import { ZChannelId, ZDeliveriesQuery } from '@/lib/notifications/schema'

export const GET = withOrg(
  async (_req, { org, params, query }) => json({ deliveries: await listDeliveries(org.orgId, parseOrThrow(ZChannelId, { id: params.id }, 'Invalid channel id').id, query.limit) }),
  { scope: 'read', permission: 'metrics.read', query: ZDeliveriesQuery },
)
