// GET /api/v1/prices/discrepancies?from&to — where provider-reported cost differs from ours by > 1%; "read" key or any member.
import { z } from 'zod'
import { json, withOrg } from '@/lib/http/route'
import { listDiscrepancies } from '@/lib/prices'
import { resolveRange } from '@/lib/metrics/query'

const ZQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).transform((s) => new Date(s)).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).transform((s) => new Date(s)).optional(),
})

export const GET = withOrg(
  async (_req, { org, query }) => {
    const { from, to } = resolveRange(query)
    return json({ from: from.toISOString(), to: to.toISOString(), models: await listDiscrepancies(org.orgId, from, to) })
  },
  { scope: 'read', permission: 'prices.read', query: ZQuery },
)
