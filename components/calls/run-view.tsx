'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { ApiError } from '@/components/api'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { useRun } from '@/components/calls/queries'
import { CallCost, OutcomeBadge } from '@/components/calls/outcome-badge'
import { callsHref, formatInstant, timelineBars } from '@/lib/calls/view'
import { formatCount, formatMs, formatUsd } from '@/lib/format'

// One run, call by call: when each call started and how long it took (a bar on the run's time axis), what it cost,
// its tokens and its outcome, so a retry storm or a slow step reads at a glance.

const BAR_TONE: Record<string, string> = {
  success: 'bg-brand-500',
  retry: 'bg-amber-500',
  error: 'bg-red-500',
  fallback: 'bg-sky-500',
  escalation: 'bg-violet-500',
}

export function RunView({ org, runId }: { org: string; runId: string }) {
  const run = useRun(org, runId)
  const t = run.data?.totals
  const notFound = run.error instanceof ApiError && run.error.status === 404
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href={`/${org}/calls`} className="text-brand-700 hover:underline">
            Calls
          </Link>{' '}
          <span className="text-slate-400">/</span> run
        </p>
        <h1 className="break-all font-mono text-2xl font-semibold">{runId}</h1>
        {run.data && (
          <p className="text-sm text-slate-600">
            {run.data.calls[0]?.workflow_id} · started {formatInstant(t!.started_at)} ·{' '}
            <Link
              href={callsHref(org, { run_id: runId, from: t!.started_at.slice(0, 10), to: nextDay(t!.ended_at) })}
              className="text-brand-700 hover:underline"
            >
              these calls in the explorer
            </Link>
          </p>
        )}
      </div>

      {notFound ? (
        <Card title="No call carries this run id">
          <p className="text-sm text-slate-700">
            Check the id, or look for the run in the{' '}
            <Link href={`/${org}/calls`} className="text-brand-700 underline">
              Calls explorer
            </Link>
            : a run appears once its calls are ingested with a <code>run_id</code>.
          </p>
        </Card>
      ) : run.error ? (
        <Alert>Could not load the run: {run.error.message}</Alert>
      ) : null}

      {!run.error && (
        <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-5">
          <Kpi label="Calls" term="calls" value={t ? formatCount(t.calls) : null} testId="run-calls" hint={t ? outcomesHint(t.outcomes) : undefined} />
          <Kpi
            label="Cost"
            value={t ? formatUsd(t.cost_usd, { precise: true }) : null}
            testId="run-cost"
            hint={t && t.unpriced_calls > 0 ? `${formatCount(t.unpriced_calls)} unpriced, not included` : 'USD, every call priced'}
            warn={!!t && t.unpriced_calls > 0}
          />
          <Kpi label="Tokens in" value={t ? formatCount(t.tokens_in) : null} hint={t ? `${formatCount(t.cached_tokens_in)} cached` : undefined} />
          <Kpi label="Tokens out" value={t ? formatCount(t.tokens_out) : null} />
          <Kpi label="Duration" value={t ? formatMs(t.duration_ms) : null} hint="first call's start to the last call's end" testId="run-duration" />
        </section>
      )}

      {run.data ? (
        <Card
          title="Timeline"
          subtitle="Each call is a bar from its start to its end (its latency) on the run's time axis, coloured by outcome; a call without a latency is a tick."
        >
          {run.data.truncated && <Alert tone="warning">This run has {formatCount(t!.calls)} calls: the first 5,000 are drawn; the totals cover all.</Alert>}
          <Timeline org={org} data={run.data} />
        </Card>
      ) : (
        !run.error && <Skeleton className="h-64" />
      )}
    </div>
  )
}

function nextDay(iso: string): string {
  const d = new Date(iso)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString().slice(0, 10)
}

const outcomesHint = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(' · ')

function Timeline({ org, data }: { org: string; data: NonNullable<ReturnType<typeof useRun>['data']> }) {
  // each call keeps its number in the run (its place in time) whichever column sorts the rows
  const bars = timelineBars(data.calls, data.totals.started_at, data.totals.duration_ms).map((b, i) => ({ ...b, n: i + 1 }))
  const sorter = useSort(bars, {
    n: (b) => b.n,
    step: (b) => `${b.call.step} · ${b.call.model ? `${b.call.provider ?? '?'}/${b.call.model}` : ''}`,
    starts: (b) => b.offset_ms,
    latency: (b) => b.call.latency_ms,
    tokens: (b) => b.call.tokens_in + b.call.tokens_out,
    cost: (b) => moneyKey(b.call.cost_usd),
    outcome: (b) => b.call.outcome,
  })
  const th = 'px-2 py-2 font-medium'
  const td = 'num px-2 py-1.5 text-right whitespace-nowrap'
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="run-timeline">
        <caption className="sr-only">The run's calls in order, each with its place on the time axis</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="n" className={`${th} pl-0 text-right`}>
              #
            </SortTh>
            <SortTh sorter={sorter} k="step" className={`${th} text-left`}>
              Step · model
            </SortTh>
            <th scope="col" className={`${th} w-2/5 text-left`}>
              <div className="flex justify-between font-normal normal-case">
                <span>0 ms</span>
                <span>{formatMs(data.totals.duration_ms)}</span>
              </div>
            </th>
            <SortTh sorter={sorter} k="starts" className={`${th} text-right`}>
              Starts at
            </SortTh>
            <SortTh sorter={sorter} k="latency" className={`${th} text-right`}>
              Latency
            </SortTh>
            <SortTh sorter={sorter} k="tokens" className={`${th} text-right`}>
              Tokens in / out
            </SortTh>
            <SortTh sorter={sorter} k="cost" className={`${th} text-right`}>
              Cost
            </SortTh>
            <SortTh sorter={sorter} k="outcome" className={`${th} pr-0 text-left`}>
              Outcome
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((b) => (
            <tr key={b.call.id} className="border-t border-slate-100" data-testid="run-call" data-id={b.call.id}>
              <td className="num py-1.5 pr-2 text-right text-slate-400">{b.n}</td>
              <th scope="row" className="px-2 text-left font-normal">
                <div className="max-w-56 truncate" title={`event ${b.call.id}`}>
                  <Link
                    href={callsHref(org, { workflow_id: b.call.workflow_id, step: b.call.step, range: 30 })}
                    className="font-medium text-brand-700 hover:underline"
                    title={`Calls of ${b.call.workflow_id} / ${b.call.step} in the last 30 days`}
                  >
                    {b.call.step}
                  </Link>{' '}
                  <span className="text-slate-500">· {b.call.model ? `${b.call.provider ?? '?'}/${b.call.model}` : '—'}</span>
                </div>
              </th>
              <td className="px-2">
                <div className="relative h-3 rounded bg-slate-100" aria-hidden>
                  <div
                    className={`absolute top-0 h-3 rounded ${BAR_TONE[b.call.outcome] ?? 'bg-slate-500'}`}
                    style={{ left: `${b.left * 100}%`, width: b.width > 0 ? `${Math.max(0.5, b.width * 100)}%` : '2px' }}
                    data-left={b.left.toFixed(4)}
                    data-width={b.width.toFixed(4)}
                  />
                </div>
              </td>
              <td className={`${td} text-slate-600`}>+{formatMs(b.offset_ms)}</td>
              <td className={td}>{formatMs(b.call.latency_ms)}</td>
              <td className={td}>
                {formatCount(b.call.tokens_in)} / {formatCount(b.call.tokens_out)}
              </td>
              <td className={td}>
                <CallCost cost={b.call.cost_usd} />
              </td>
              <td className="py-1.5 pl-2">
                <OutcomeBadge outcome={b.call.outcome} attempt={b.call.attempt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
