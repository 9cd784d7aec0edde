import { microsToUsd, micros } from '@/lib/domain'
import type { TScenarioCostMonth, TScenarioPart } from '@/lib/scenarios/schema'
import type { TWholeBillParts } from '@/lib/finance/schema'

// The whole bill's parts from a Scenario cost month, pure. Scenario cost's
// total is the calls' cost + each pool's capacity not already charged through
// calls (max(paid − used, 0)) + line items; the whole bill reads the same
// micro-dollars as: API inference (the calls less the GPU time they used on the
// pools, up to what each pool cost) + GPU capacity (each pool's paid cost, idle
// included) + line items. So total_usd is Scenario cost's total_usd, exactly.

export type TBillMicros = { api: bigint; gpu: bigint; items: bigint; total: bigint }

const CALL_PARTS: readonly TScenarioPart[] = ['production_inference', 'eval_benchmark', 'internal_traffic']
const CAPACITY_PARTS: readonly TScenarioPart[] = ['production_capacity', 'non_production_capacity', 'reserve']
const ITEM_PARTS: readonly TScenarioPart[] = ['engineering', 'operations']

const sumParts = (m: TScenarioCostMonth, parts: readonly TScenarioPart[]) =>
  m.scenarios.reduce((s, x) => s + parts.reduce((t, p) => t + micros(x.parts[p] ?? '0'), 0n), 0n)

/** A scenario's call parts (what its calls were priced at: the API cost), micro-dollars. */
export const callMicrosOf = (x: TScenarioCostMonth['scenarios'][number]): bigint => CALL_PARTS.reduce((t, p) => t + micros(x.parts[p] ?? '0'), 0n)

export function billMicrosOf(m: TScenarioCostMonth): TBillMicros {
  const calls = sumParts(m, CALL_PARTS)
  const allocated = sumParts(m, CAPACITY_PARTS)
  const items = sumParts(m, ITEM_PARTS)
  const gpu = m.pools.reduce((s, p) => s + micros(p.cost_usd), 0n)
  return { api: calls + allocated - gpu, gpu, items, total: micros(m.total_usd) }
}

export const addBill = (a: TBillMicros, b: TBillMicros): TBillMicros => ({
  api: a.api + b.api,
  gpu: a.gpu + b.gpu,
  items: a.items + b.items,
  total: a.total + b.total,
})
export const ZERO_BILL: TBillMicros = { api: 0n, gpu: 0n, items: 0n, total: 0n }

export const billParts = (b: TBillMicros): TWholeBillParts => ({
  api_inference_usd: microsToUsd(b.api),
  gpu_capacity_usd: microsToUsd(b.gpu),
  line_items_usd: microsToUsd(b.items),
  total_usd: microsToUsd(b.total),
})

/** The four parts of a whole bill (or of anything that carries them). */
export const partsOf = (b: TWholeBillParts): TWholeBillParts => ({
  api_inference_usd: b.api_inference_usd,
  gpu_capacity_usd: b.gpu_capacity_usd,
  line_items_usd: b.line_items_usd,
  total_usd: b.total_usd,
})

/** Micro-dollars per outcome, rounded half up (as Scenario cost rounds its cost per accepted outcome). */
export const perOutcomeMicros = (m: bigint, n: number): bigint => (m + BigInt(n) / 2n) / BigInt(n)
