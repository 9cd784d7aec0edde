// GET /api/v1/channels/:id/deliveries?limit — the channel's delivery log, newest first, each attempt with its status code, duration and error; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listDeliveries } from '@/lib/notifications/channels'
import * as api from '@/lib/notifications/api'

export const GET = withOrg(api.channelDeliveries, async ({ org, params, query }) => ({ deliveries: await listDeliveries(org.orgId, params.id, query.limit) }))
