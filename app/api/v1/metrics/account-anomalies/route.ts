// GET /api/v1/metrics/account-anomalies — accounts whose calls per run at a step stand out from the median account's; API key with "read", or a signed-in member.
import { withOrg } from '@/lib/http/route'
import { queryAccountAnomalies } from '@/lib/metrics/step-medians'
import * as api from '@/lib/metrics/api'

export const GET = withOrg(api.accountAnomalies, async ({ org, query }) => queryAccountAnomalies(org.orgId, query))
