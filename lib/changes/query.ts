import 'server-only'
import { WASTE_OUTCOMES } from '@/lib/domain'
import { pool } from '@/lib/db'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { contributors, decompose, PLAIN_WEIGHTS, type TChangeCell, type TContributorCell, type TTokenWeights } from '@/lib/changes/decompose'
import type { TChangesPeriod, TChangesQuery, TChangesResponse } from '@/lib/changes/schema'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { booleanOf, countOf, decimalOf, textOf, type TPgRow } from '@/lib/metrics/rows'
import { DAILY_ROLLUPS, HOURLY_ROLLUP } from '@/lib/rollups/tables'

// GET /api/v1/changes: the spend of two periods from the rollups (never the raw
// events: whole days from a daily table, the rest hourly, lib/metrics/source.ts),
// decomposed by lib/changes/decompose.ts.

export { ZChangesQuery } from '@/lib/changes/schema'
export type { TChangesPeriod, TChangesQuery, TChangesResponse } from '@/lib/changes/schema'

const CELL_MEASURES = ['events', 'runs', 'tokens_in', 'cached_tokens_in', 'cache_write_tokens', 'tokens_out', 'cost_usd'] as const
type TMeasure = (typeof CELL_MEASURES)[number]

/**
 * One period's rollup rows: `measures` summed by `groupBy` (plus `outcome`
 * retry/error or not, as `waste`, when asked), from the narrowest rollup table
 * whose key holds the grouping and the filters (lib/metrics/source.ts).
 */
async function sums<K extends string, M extends TMeasure>(
  orgId: string,
  q: TChangesQuery,
  from: Date,
  to: Date,
  daily: boolean,
  groupBy: readonly K[],
  measures: readonly M[],
  waste: boolean,
) {
  const params: unknown[] = [orgId]
  const where: string[] = []
  const filterDims: string[] = ['environment', 'traffic_source']
  const eq = (col: string, v: string | undefined) => {
    if (v === undefined) return
    params.push(v)
    where.push(`${col} = $${params.length}`)
    filterDims.push(col)
  }
  const any = (col: string, v: string[] | undefined) => {
    if (!v?.length) return
    params.push(v)
    where.push(`${col} = ANY($${params.length}::text[])`)
  }
  eq('workflow_id', q.workflow_id)
  eq('account_id', q.account_id)
  any('environment', q.environment)
  any('traffic_source', q.traffic_source)
  let wasteCol = ''
  if (waste) {
    params.push([...WASTE_OUTCOMES])
    wasteCol = `, outcome = ANY($${params.length}::text[]) AS waste`
  }
  const dims = [...new Set([...groupBy, ...(waste ? ['outcome'] : []), ...filterDims])]
  const src = sourceSql(
    planSource(daily ? DAILY_ROLLUPS : [], dims, { from, to }, 'none'),
    HOURLY_ROLLUP.table,
    [...dims, ...new Set(['events', ...measures])],
    where,
    params,
  )
  const r = await pool().query(
    `SELECT ${groupBy.join(', ')}${wasteCol},
            -- bigint sums as text: a token count can pass 2^31
            ${measures.map((m) => `sum(${m})::text AS ${m}`).join(', ')}
     FROM ${src}
     GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')}${waste ? `, ${groupBy.length + 1}` : ''} HAVING sum(events) > 0`,
    params,
  )
  return r.rows
}

/**
 * One period's cells: (workflow, step, provider, model, retry/error or not)
 * with their sums, every account pooled (the decomposition's step groups pool
 * them), so they come from rollups_daily_steps: a 10M-event week is ~2k cells
 * instead of ~40k with the account in the key.
 */
async function cells(orgId: string, q: TChangesQuery, from: Date, to: Date, daily: boolean): Promise<TChangeCell[]> {
  const rows = await sums(orgId, q, from, to, daily, ['workflow_id', 'step', 'provider', 'model'], CELL_MEASURES, true)
  return rows.map(changeCellOf)
}

/** A cell of the cost rollups as sums() selects it: text dimensions ('' for none), bigint sums as text, the retry/error split. */
const changeCellOf = (row: TPgRow): TChangeCell => ({
  workflow_id: textOf(row.workflow_id, 'workflow_id'),
  step: textOf(row.step, 'step'),
  provider: textOf(row.provider, 'provider'),
  model: textOf(row.model, 'model'),
  waste: booleanOf(row.waste, 'waste'),
  events: countOf(row.events, 'events'),
  runs: countOf(row.runs, 'runs'),
  tokens_in: countOf(row.tokens_in, 'tokens_in'),
  cached_tokens_in: countOf(row.cached_tokens_in, 'cached_tokens_in'),
  cache_write_tokens: countOf(row.cache_write_tokens, 'cache_write_tokens'),
  tokens_out: countOf(row.tokens_out, 'tokens_out'),
  cost_usd: decimalOf(row.cost_usd, 'cost_usd'),
})

/** One period's spend per account (for the accounts contributing most), from rollups_daily_accounts. */
async function accountSpend(orgId: string, q: TChangesQuery, from: Date, to: Date, daily: boolean): Promise<TContributorCell[]> {
  const rows = await sums(orgId, q, from, to, daily, ['account_id'], ['cost_usd'], false)
  return rows.map((row) => ({ account_id: textOf(row.account_id, 'account_id'), cost_usd: decimalOf(row.cost_usd, 'cost_usd') }))
}

const period = (from: Date, to: Date, cost: string, cs: TChangeCell[]): TChangesPeriod => ({
  from: from.toISOString(),
  to: to.toISOString(),
  cost_usd: cost,
  events: cs.reduce((s, c) => s + c.events, 0),
  runs: cs.reduce((s, c) => s + c.runs, 0),
})

/** `daily: false` reads the hourly rollups only (the answer is the same: tests compare the two). */
export async function queryChanges(orgId: string, q: TChangesQuery, opts: { daily?: boolean } = {}): Promise<TChangesResponse> {
  const daily = opts.daily ?? true
  const [a, b, accountsA, accountsB, book] = await Promise.all([
    cells(orgId, q, q.a_from, q.a_to, daily),
    cells(orgId, q, q.b_from, q.b_to, daily),
    accountSpend(orgId, q, q.a_from, q.a_to, daily),
    accountSpend(orgId, q, q.b_from, q.b_to, daily),
    loadPriceBook(orgId),
  ])
  // Tokens per call are weighted by each model's list rates at the end of the
  // baseline (so an output token counts for what it costs); plain counts without a price.
  const at = new Date(q.a_to.getTime() - 1)
  const weightsFor = (provider: string, model: string): TTokenWeights => {
    const p = book.modelPrice(provider, model, at) ?? book.modelPrice(provider, model, new Date(q.b_to.getTime() - 1))
    if (!p) return PLAIN_WEIGHTS
    return {
      input: p.input_per_mtok,
      cached_input: p.cached_input_per_mtok ?? p.input_per_mtok,
      cache_write: p.cache_write_per_mtok ?? p.input_per_mtok,
      output: p.output_per_mtok,
    }
  }
  const { total_a_usd, total_b_usd, ...d } = decompose(a, b, weightsFor)
  return {
    a: period(q.a_from, q.a_to, total_a_usd, a),
    b: period(q.b_from, q.b_to, total_b_usd, b),
    ...d,
    contributors: {
      workflows: contributors(a, b, 'workflow'),
      steps: contributors(a, b, 'step'),
      accounts: contributors(accountsA, accountsB, 'account'),
      models: contributors(a, b, 'model'),
    },
  }
}
