// DELETE /api/v1/bills/{id} — delete an imported bill and its lines ("write" key, or a finance/admin member: bills.write).
import { withOrg } from '@/lib/http/route'
import { deleteBillImport } from '@/lib/bills/import'
import * as api from '@/lib/bills/api'

export const DELETE = withOrg(api.deleteBill, async ({ org, params }) => {
  await deleteBillImport(org.orgId, params.id)
  return undefined
})
