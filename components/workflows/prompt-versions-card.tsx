'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import { Alert, Card, Skeleton } from '@/components/ui'
import * as api from '@/lib/prompt-versions/api'
import type { TQueryOf } from '@/lib/http/endpoint'
import { promptVersionView, signedPercent, type TPromptVersionView } from '@/lib/prompt-versions/view'
import { formatCount, formatDate, formatPercent, formatUsd } from '@/lib/format'

// "Did the new prompt increase output tokens?" answered by prompt version, not by date: each version of each step
// beside the one before it.

export const promptVersionQueries = {
  all: (org: string) => ['prompt-versions', org] as const,
  list: (org: string, query: TQueryOf<typeof api.promptVersions>) => [...promptVersionQueries.all(org), query] as const,
}

export function usePromptVersions(org: string, query: TQueryOf<typeof api.promptVersions>) {
  return useQuery({
    queryKey: promptVersionQueries.list(org, query),
    queryFn: ({ signal }) => callApi(api.promptVersions, { org, query, signal }),
  })
}

const th = 'px-2 py-2 font-medium text-right'
const td = 'num px-2 text-right'

export function PromptVersionsCard({ org, query }: { org: string; query: TQueryOf<typeof api.promptVersions> }) {
  const q = usePromptVersions(org, query)
  const rows = q.data ? promptVersionView(q.data.rows) : null
  return (
    <Card
      title="By prompt version"
      subtitle="Per step and prompt_version (first seen first): calls, tokens per call, cached share of input, spend and cost per run, each beside the step's version before it. Only calls that send prompt_version."
    >
      {q.error ? (
        <Alert>{q.error.message}</Alert>
      ) : !rows ? (
        <Skeleton className="h-40" />
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="prompt-versions-empty">
          No calls of this workflow carry a prompt version in this period. Send <code>prompt_version</code> on events (the OpenTelemetry attribute{' '}
          <code>outlay.prompt_version</code>, or the gateway header <code>x-outlay-prompt-version</code>) to compare prompts by version.
        </p>
      ) : (
        <VersionTable rows={rows} />
      )}
    </Card>
  )
}

function Change({ value, worseUp, points }: { value: number | null; worseUp: boolean; points?: boolean }) {
  if (value === null) return null
  const text = points ? `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(Math.round(value * 100))} pts` : signedPercent(value)
  const bad = worseUp ? value >= 0.1 : value <= -0.1
  return <span className={`block text-xs ${bad ? 'font-medium text-amber-700' : 'text-slate-500'}`}>{text}</span>
}

function VersionTable({ rows }: { rows: TPromptVersionView[] }) {
  const sorter = useSort(rows, {
    version: (r) => `${r.step}/${r.prompt_version}`,
    seen: (r) => Date.parse(r.last_seen),
    calls: (r) => r.calls,
    tin: (r) => r.tokens_in_per_call,
    tout: (r) => r.tokens_out_per_call,
    cached: (r) => r.cached_share,
    cost: (r) => moneyKey(r.cost_usd),
    per_run: (r) => moneyKey(r.cost_per_run_usd),
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="prompt-versions-table">
        <caption className="sr-only">
          Spend, tokens per call and cost per run by step and prompt version, with the change against the step&apos;s previous version
        </caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="version" className="py-2 pr-2 text-left font-medium">
              Step / version
            </SortTh>
            <SortTh sorter={sorter} k="seen" className="px-2 py-2 text-left font-medium">
              Seen
            </SortTh>
            <SortTh sorter={sorter} k="calls" className={th}>
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="tin" className={th}>
              Input tok / call
            </SortTh>
            <SortTh sorter={sorter} k="tout" className={th}>
              Output tok / call
            </SortTh>
            <SortTh sorter={sorter} k="cached" className={th} title="cached input tokens ÷ input tokens">
              Cached share
            </SortTh>
            <SortTh sorter={sorter} k="cost" className={th}>
              Spend (USD)
            </SortTh>
            <SortTh sorter={sorter} k="per_run" className={th} title="the step's spend under this version ÷ the runs that called it with this version">
              Cost / run (USD)
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr
              key={`${r.step}/${r.prompt_version}`}
              className="border-t border-slate-100 align-top"
              data-step={r.step}
              data-version={r.prompt_version}
              data-cost={r.cost_usd}
              data-calls={r.calls}
              data-tokens-out={r.tokens_out}
            >
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                {r.step} <span className="text-slate-400">/</span> <code className="text-xs">{r.prompt_version}</code>
                {r.previous && <span className="block text-xs font-normal text-slate-500">after {r.previous}</span>}
              </th>
              <td className="px-2 py-1.5 text-left text-slate-600">
                {formatDate(r.first_seen)} – {formatDate(r.last_seen)}
              </td>
              <td className={td}>{formatCount(r.calls)}</td>
              <td className={td}>
                {r.tokens_in_per_call === null ? '—' : formatCount(Math.round(r.tokens_in_per_call))}
                <Change value={r.tokens_in_change} worseUp />
              </td>
              <td className={td} data-testid="tokens-out-per-call">
                {r.tokens_out_per_call === null ? '—' : formatCount(Math.round(r.tokens_out_per_call))}
                <Change value={r.tokens_out_change} worseUp />
              </td>
              <td className={td} data-testid="cached-share">
                {r.cached_share === null ? '—' : formatPercent(r.cached_share)}
                <Change value={r.cached_share_change} worseUp={false} points />
              </td>
              <td className={td}>{formatUsd(r.cost_usd)}</td>
              <td className={td}>
                {r.cost_per_run_usd === null ? '—' : formatUsd(r.cost_per_run_usd, { precise: true })}
                <Change value={r.cost_per_run_change} worseUp />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
