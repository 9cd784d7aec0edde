// DELETE /api/v1/scenarios/line-items/:id — "write" key or an admin/engineer/finance session.
import { z } from 'zod'
import { withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { deleteLineItem } from '@/lib/gpu/scenarios'

const ZId = z.strictObject({ id: z.uuid({ error: 'must be a line item id (a UUID)' }) })

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await deleteLineItem(org.orgId, parseOrThrow(ZId, { id: params.id }, 'Invalid line item id').id)
    return new Response(null, { status: 204 })
  },
  { scope: 'write', permission: 'line_items.write' },
)
