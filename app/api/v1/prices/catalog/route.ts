// GET /api/v1/prices/catalog?q= — the default catalog's current prices, searchable; "read" key or any member.
import { z } from 'zod'
import { json, withOrg } from '@/lib/http/route'
import { CATALOG_AS_OF, CATALOG_SOURCE, searchCatalog } from '@/lib/cost/catalog'

const ZQuery = z.strictObject({ q: z.string().max(200, 'must be at most 200 characters').default('') })

export const GET = withOrg(
  async (_req, { query }) => json({ source: `${CATALOG_SOURCE}, data as of ${CATALOG_AS_OF}`, models: searchCatalog(query.q) }),
  { scope: 'read', permission: 'prices.read', query: ZQuery },
)
