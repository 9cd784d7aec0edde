// POST /api/v1/alerts/:id/ack — acknowledge an alert; "write" key or a session with budgets.write.
import { z } from 'zod'
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { acknowledgeAlert } from '@/lib/budgets/alerts'

const ZAlertId = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be an alert id (digits)') })

export const POST = withOrg(
  async (_req, { org, params }) => {
    const { id } = parseOrThrow(ZAlertId, { id: params.id }, 'Invalid alert id')
    await acknowledgeAlert(org.orgId, id)
    return json({ ok: true })
  },
  { scope: 'write', permission: 'budgets.write' },
)
