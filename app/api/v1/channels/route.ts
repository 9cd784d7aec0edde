// GET/POST /api/v1/channels — notification channels (webhook, email); GET: "read" key or any member (webhook URLs cut to their
// host unless the reader is an admin, an engineer or a "write" key); POST: "write" key or alerts.configure (admin, engineer).
// A webhook's signing secret is in the POST answer once (PATCH {"rotate_secret": true} makes a new one); it is never read back.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { channelViewOf, createChannel, emailConfigured, listChannels } from '@/lib/notifications/channels'
import { ZChannelCreate } from '@/lib/notifications/schema'

export const GET = withOrg(async (_req, { org }) => json({ channels: await listChannels(org.orgId, channelViewOf(org)), email_configured: emailConfigured() }), { scope: 'read', permission: 'metrics.read' })

export const POST = withOrg(
  async (req, { org }) => {
    const input = parseOrThrow(ZChannelCreate, await readJson(req, 64 * 1024), 'Invalid channel')
    return json(await createChannel(org.orgId, input), 201)
  },
  { scope: 'write', permission: 'alerts.configure' },
)
