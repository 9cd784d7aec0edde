import catalog from '@/lib/cost/catalog.json'
import type { TModelPrice } from '@/lib/cost/engine'

// The default catalog ships with the code (see catalog.json for its source
// and date). It applies from the epoch until an organization overrides it.
const EPOCH = new Date(0)

export const CATALOG_AS_OF = catalog.as_of
export const CATALOG_SOURCE = catalog.source

export const catalogPrices: TModelPrice[] = catalog.prices.map((p) => ({ ...p, effective_from: EPOCH, org_id: null }))
