// GET/POST /api/v1/channels — notification channels (webhook, email); GET: "read" key or any member; POST: "write" key or alerts.write (admin, engineer, finance).
// A webhook's signing secret is in the POST answer once (admins can read it again: GET /api/v1/channels/:id/secret).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createChannel, emailConfigured, listChannels } from '@/lib/notifications/channels'
import { ZChannelCreate } from '@/lib/notifications/schema'

export const GET = withOrg(async (_req, { org }) => json({ channels: await listChannels(org.orgId), email_configured: emailConfigured() }), { scope: 'read', permission: 'metrics.read' })

export const POST = withOrg(
  async (req, { org }) => {
    const input = parseOrThrow(ZChannelCreate, await readJson(req, 64 * 1024), 'Invalid channel')
    return json(await createChannel(org.orgId, input), 201)
  },
  { scope: 'write', permission: 'alerts.write' },
)
