// GET /api/v1/bills — the imported bills ("read" key or metrics.read); POST /api/v1/bills?source= — import a bill,
// the body is the file ("write" key, or a finance/admin member: bills.write).
import { withOrg } from '@/lib/http/route'
import { importBill, listBillImports } from '@/lib/bills/import'
import * as api from '@/lib/bills/api'

export const GET = withOrg(api.listBills, async ({ org }) => ({ imports: await listBillImports(org.orgId) }))

// The body is the file (the declaration's raw body): lib/bills/import.ts streams it with its own limits.
export const POST = withOrg(api.importBill, async ({ req, org, query }) => importBill(org.orgId, query, req))
