// POST /api/v1/channels/:id/test — queue a test notification (same signature, retries and delivery log as an alert); "write" key or alerts.configure (admin, engineer).
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { sendTest } from '@/lib/notifications/channels'
import { ZChannelId } from '@/lib/notifications/schema'

export const POST = withOrg(
  async (_req, { org, params }) => json({ delivery: await sendTest(org.orgId, parseOrThrow(ZChannelId, { id: params.id }, 'Invalid channel id').id) }, 202),
  { scope: 'write', permission: 'alerts.configure' },
)
