// GET /api/v1/reconciliation — computed cost against the imported bills ("read" key or metrics.read).
import { withOrg } from '@/lib/http/route'
import { reconcile } from '@/lib/bills/reconcile'
import * as api from '@/lib/bills/api'

export const GET = withOrg(api.reconciliation, async ({ org, query }) => reconcile(org.orgId, query))
