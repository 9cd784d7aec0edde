// GET/POST /api/v1/channels — notification channels (webhook, email); GET: "read" key or any member (webhook URLs cut to their
// host unless the reader is an admin, an engineer or a "write" key); POST: "write" key or alerts.configure (admin, engineer).
// A webhook's signing secret is in the POST answer once (PATCH {"rotate_secret": true} makes a new one); it is never read back.
import { withOrg } from '@/lib/http/route'
import { channelViewOf, createChannel, emailConfigured, listChannels } from '@/lib/notifications/channels'
import * as api from '@/lib/notifications/api'

export const GET = withOrg(api.listChannels, async ({ org }) => ({
  channels: await listChannels(org.orgId, channelViewOf(org)),
  email_configured: emailConfigured(),
}))

export const POST = withOrg(api.createChannel, async ({ org, body }) => createChannel(org.orgId, body))
