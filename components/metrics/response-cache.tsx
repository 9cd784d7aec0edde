'use client'
import Link from 'next/link'
import { Skeleton } from '@/components/ui'
import { InfoTip } from '@/components/ui/info-tip'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'

/**
 * The response cache's effect over the page's range and filters, beside the KPIs (issue 18): the calls it answered
 * instead of the model and the dollars it saved (the cost of the calls they repeat: not in Spend, a hit costs $0).
 * A different thing from the prompt cache (the "Prompt-cache" KPI: cheaper input tokens on calls that went to the
 * model). Without hits in the range the line says how to turn the cache on, as the pages do for missing outcomes.
 */
export function ResponseCacheLine({
  org,
  totals,
  scope,
}: {
  org: string
  /** the range's totals (lib/metrics/prepare.ts totals); null while loading */
  totals: { response_cache_hits: number; response_cache_savings_usd: string; events: number } | null
  /** what the figures cover, e.g. "this workflow's" (the hint names the steps to turn it on for) */
  scope?: string
}) {
  return (
    <section
      aria-label="Response cache"
      data-testid="response-cache"
      className="flex flex-wrap items-baseline gap-x-2 gap-y-1 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm"
    >
      <span className="text-xs font-medium uppercase tracking-wide text-slate-500">
        Response cache
        <InfoTip term="response_cache" />
      </span>
      {totals === null ? (
        <Skeleton className="h-5 w-64" />
      ) : totals.response_cache_hits > 0 ? (
        <span className="text-slate-800">
          <span className="num font-semibold" data-testid="response-cache-hits">
            {formatCount(totals.response_cache_hits)} {totals.response_cache_hits === 1 ? 'call' : 'calls'}
          </span>{' '}
          answered from the cache ({formatPercent(totals.events ? totals.response_cache_hits / totals.events : 0)} of calls),{' '}
          <span className="num font-semibold" data-testid="response-cache-savings">
            {formatUsd(totals.response_cache_savings_usd, { precise: true })} saved
          </span>{' '}
          <span className="text-slate-500">— what the repeated calls cost; cached answers cost $0 and are not in Spend</span>
        </span>
      ) : (
        <span className="text-slate-600" data-testid="response-cache-off">
          No calls answered from it in this range. Turn it on for {scope ?? 'a'} step in its{' '}
          <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/routing`}>
            routing policy
          </Link>{' '}
          (response cache TTL), or per request with <code>x-outlay-cache: on</code> through the{' '}
          <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/settings/gateway`}>
            gateway
          </Link>
          : a repeated input is then answered for $0.
        </span>
      )}
    </section>
  )
}
