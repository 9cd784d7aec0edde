// GET /api/v1/prices/catalog?q= — the default catalog's current prices, searchable; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { CATALOG_AS_OF, CATALOG_SOURCE, searchCatalog } from '@/lib/cost/catalog'
import * as api from '@/lib/prices/api'

export const GET = withOrg(api.searchCatalog, async ({ query }) => ({
  source: `${CATALOG_SOURCE}, data as of ${CATALOG_AS_OF}`,
  models: searchCatalog(query.q),
}))
