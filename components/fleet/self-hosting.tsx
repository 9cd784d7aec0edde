'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import { Alert, Card, Skeleton } from '@/components/ui'
import { fleetQueries } from '@/components/fleet/queries'
import { type TSortColumns, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import * as gpuApi from '@/lib/gpu/api'
import type { TSelfHostingAnswer } from '@/lib/gpu/schema'
import { formatCompact, formatCount, formatMultiple, formatPercent, formatUsd } from '@/lib/format'

// "Where does self-hosting win or lose?" (seed 001): per pool, what its paid capacity costs per million tokens at
// the utilization it really runs at, beside the cheapest API way to serve the same calls (lib/gpu/self-hosting.ts),
// with the utilization at which the two would break even.

type TPool = TSelfHostingAnswer['pools'][number]

export function useSelfHosting(org: string, days: number) {
  return useQuery({
    queryKey: [...fleetQueries.all(org), 'self-hosting', days],
    queryFn: ({ signal }) => callApi(gpuApi.selfHosting, { org, query: { days }, signal }),
  })
}

const perM = (usd: string | null) => (usd === null ? '—' : `${formatUsd(usd)}/M`)

function verdictText(p: TPool): string {
  if (p.calls === 0) return 'served no calls in the period: its whole cost buys nothing'
  if (p.verdict === 'unknown' || p.ratio === null)
    return `no verdict: ${formatCount(p.unmatched_calls)} call${p.unmatched_calls === 1 ? '' : 's'} of models with no known API price`
  const even =
    p.break_even_utilization === null
      ? ''
      : p.break_even_utilization > 1
        ? '; it cannot break even, even at 100% utilization'
        : `; it breaks even at ${formatPercent(p.break_even_utilization, 0)} average utilization`
  return p.verdict === 'api_cheaper' ? `the API is ${formatMultiple(p.ratio)} cheaper${even}` : `self-hosting is ${formatMultiple(1 / p.ratio)} cheaper${even}`
}

const POOL_SORT: TSortColumns<TPool, 'pool' | 'util' | 'paid' | 'tokens' | 'self' | 'api'> = {
  pool: (p) => p.pool,
  util: (p) => p.avg_utilization,
  paid: (p) => moneyKey(p.paid_usd),
  tokens: (p) => p.tokens,
  self: (p) => (p.usd_per_mtok === null ? null : moneyKey(p.usd_per_mtok)),
  api: (p) => (p.api_usd_per_mtok === null ? null : moneyKey(p.api_usd_per_mtok)),
}

export function SelfHostingCard({ org, days }: { org: string; days: number }) {
  const q = useSelfHosting(org, days)
  const sorter = useSort(q.data?.pools, POOL_SORT)
  return (
    <Card
      title="Self-hosting against the API"
      subtitle={`Last ${days} days, per pool: its paid capacity (idle hours included) per million tokens served, beside the cheapest API way to serve the same calls — the same open-weight model at a hosted provider’s list price, or an API model the same steps use, at its billed rate.`}
    >
      {q.isError ? (
        <Alert>{q.error.message}</Alert>
      ) : !q.data ? (
        <Skeleton className="h-32" />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="self-hosting">
            <caption className="sr-only">Each GPU pool’s cost per million tokens against the API</caption>
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Pool
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium" title="Average hourly GPU utilization in the period">
                  Utilization
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">
                  Paid
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">
                  Tokens
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium" title="Paid ÷ tokens served, per million">
                  Self-hosted
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium" title="The cheapest API alternative of each model, per million tokens">
                  API
                </th>
                <th scope="col" className="py-2 font-medium">
                  Verdict and alternatives
                </th>
              </tr>
            </thead>
            <tbody>
              {sorter.rows.map((p) => (
                <tr key={p.pool} className="border-t border-slate-100 align-top" data-self-hosting-pool={p.pool} data-verdict={p.verdict}>
                  <th scope="row" className="py-2 pr-4 font-medium">
                    {p.pool}
                    <div className="text-xs font-normal text-slate-500">
                      {p.gpu_type} · {p.role}
                    </div>
                  </th>
                  <td className="num py-2 pr-4 text-right">{p.avg_utilization === null ? '—' : formatPercent(p.avg_utilization, 0)}</td>
                  <td className="num py-2 pr-4 text-right" data-usd={p.paid_usd}>
                    {formatUsd(p.paid_usd)}
                  </td>
                  <td className="num py-2 pr-4 text-right" title={formatCount(p.tokens)}>
                    {formatCompact(p.tokens)}
                  </td>
                  <td className="num py-2 pr-4 text-right" data-testid="self-hosted-per-mtok">
                    {perM(p.usd_per_mtok)}
                  </td>
                  <td className="num py-2 pr-4 text-right" data-testid="api-per-mtok">
                    {perM(p.api_usd_per_mtok)}
                  </td>
                  <td className="py-2">
                    <p className={p.verdict === 'api_cheaper' || p.calls === 0 ? 'text-amber-800' : 'text-slate-800'} data-testid="verdict">
                      {verdictText(p)}
                    </p>
                    {p.models.length > 0 && (
                      <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                        {p.models.map((m) => (
                          <li key={m.model}>
                            {m.model} ({formatCount(m.calls)} calls):{' '}
                            {m.alternative
                              ? `${m.alternative.provider}/${m.alternative.model} would cost ${formatUsd(m.alternative.cost_usd)} (${perM(m.alternative.usd_per_mtok)}, ${
                                  m.alternative.basis === 'same_model' ? 'list price of the same model' : 'billed rate on the same steps'
                                })`
                              : 'no API price known'}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}
