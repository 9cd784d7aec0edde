// GET/PATCH/DELETE /api/v1/channels/:id — one channel (GET as in the list); PATCH and DELETE need a "write" key or alerts.configure (admin, engineer).
import { withOrg } from '@/lib/http/route'
import { channelViewOf, deleteChannel, getChannel, updateChannel } from '@/lib/notifications/channels'
import * as api from '@/lib/notifications/api'

export const GET = withOrg(api.getChannel, async ({ org, params }) => ({ channel: await getChannel(org.orgId, params.id, channelViewOf(org)) }))

export const PATCH = withOrg(api.updateChannel, async ({ org, params, body }) => updateChannel(org.orgId, params.id, body))

export const DELETE = withOrg(api.deleteChannel, async ({ org, params }) => {
  await deleteChannel(org.orgId, params.id)
  return undefined
})
