// GET/PATCH/DELETE /api/v1/channels/:id — one channel (GET as in the list); PATCH and DELETE need a "write" key or alerts.configure (admin, engineer).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { channelViewOf, deleteChannel, getChannel, updateChannel } from '@/lib/notifications/channels'
import { ZChannelId, ZChannelPatch } from '@/lib/notifications/schema'

const idOf = (params: Record<string, string>) => parseOrThrow(ZChannelId, { id: params.id }, 'Invalid channel id').id

export const GET = withOrg(async (_req, { org, params }) => json({ channel: await getChannel(org.orgId, idOf(params), channelViewOf(org)) }), { scope: 'read', permission: 'metrics.read' })

export const PATCH = withOrg(
  async (req, { org, params }) => {
    const id = idOf(params)
    const patch = parseOrThrow(ZChannelPatch, await readJson(req, 64 * 1024), 'Invalid channel')
    return json(await updateChannel(org.orgId, id, patch))
  },
  { scope: 'write', permission: 'alerts.configure' },
)

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await deleteChannel(org.orgId, idOf(params))
    return new Response(null, { status: 204 })
  },
  { scope: 'write', permission: 'alerts.configure' },
)
