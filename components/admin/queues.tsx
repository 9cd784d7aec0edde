'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { When } from '@/components/layout/time-zone'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/queues/api'
import type { TBodyOf } from '@/lib/http/endpoint'
import { Alert, Button, Card, Kpi, Skeleton } from '@/components/ui'
import { formatCount } from '@/lib/format'

// The question here: "is ingestion keeping up, and did anything of ours fail?"

export const adminQueries = { queues: (org: string) => ['admin', org, 'queues'] as const }

export function Queues({ org }: { org: string }) {
  const qc = useQueryClient()
  const q = useQuery({
    queryKey: adminQueries.queues(org),
    queryFn: ({ signal }) => callApi(api.queueOverview, { org, signal }),
    refetchInterval: 3000,
  })
  const retry = useMutation({
    mutationFn: (j: TBodyOf<typeof api.retryJob>) => callApi(api.retryJob, { org, body: j }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: adminQueries.queues(org) }),
  })
  const queues = useSort(q.data?.queues, {
    name: (x) => x.name,
    waiting: (x) => x.waiting,
    active: (x) => x.active,
    delayed: (x) => x.delayed,
    failed: (x) => x.failed,
  })
  const failed = useSort(q.data?.failed, {
    job: (j) => `${j.queue} · ${j.reference}`,
    attempts: (j) => j.attempts,
    reason: (j) => j.failed_reason,
    at: (j) => (j.failed_at ? Date.parse(String(j.failed_at)) : null),
  })
  if (q.isPending) return <Skeleton className="h-48" />
  if (q.error) return <Alert>Could not load the queues: {q.error.message}</Alert>
  const d = q.data
  const lag = d.backlog.oldest_pending_s
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3" role="group" aria-label="Backlog">
        <Kpi label="Batches waiting (all organizations)" value={formatCount(d.backlog.pending_batches)} testId="pending-batches" />
        <Kpi label="Oldest waiting batch (all organizations)" value={lag == null ? 'none' : `${lag.toFixed(1)} s`} warn={lag != null && lag > 30} />
        <Kpi label="Your batches waiting" value={formatCount(d.org_pending_batches)} />
      </div>
      <Card
        title="Queues"
        subtitle="Jobs in Redis, refreshed every 3 seconds. Accepted events are in PostgreSQL before they are queued: nothing here can be lost."
      >
        <table className="w-full text-left text-sm" data-testid="queues">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={queues} k="name" className="py-2">
                Queue
              </SortTh>
              <SortTh sorter={queues} k="waiting" className="text-right">
                Waiting
              </SortTh>
              <SortTh sorter={queues} k="active" className="text-right">
                Active
              </SortTh>
              <SortTh sorter={queues} k="delayed" className="text-right">
                Delayed
              </SortTh>
              <SortTh sorter={queues} k="failed" className="text-right">
                Failed
              </SortTh>
            </tr>
          </thead>
          <tbody className="num divide-y divide-slate-100">
            {queues.rows.map((x) => (
              <tr key={x.name}>
                <td className="py-2 font-medium">{x.name}</td>
                <td className="text-right">{formatCount(x.waiting)}</td>
                <td className="text-right">{formatCount(x.active)}</td>
                <td className="text-right">{formatCount(x.delayed)}</td>
                <td className="text-right">{formatCount(x.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card
        title="Failed jobs of this organization"
        subtitle="A job fails after 12 attempts with back-off. Retry it once the cause is fixed; it counts nothing twice."
      >
        {d.failed.length === 0 ? (
          <p className="text-sm text-slate-600">No failed jobs.</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="failed-jobs">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <SortTh sorter={failed} k="job" className="py-2">
                  Job
                </SortTh>
                <SortTh sorter={failed} k="attempts">
                  Attempts
                </SortTh>
                <SortTh sorter={failed} k="reason">
                  Reason
                </SortTh>
                <SortTh sorter={failed} k="at">
                  Failed at
                </SortTh>
                <th />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {failed.rows.map((j) => (
                <tr key={`${j.queue}/${j.id}`}>
                  <td className="py-2 font-mono text-xs">
                    {j.queue} · {j.reference}
                  </td>
                  <td>{j.attempts}</td>
                  <td className="max-w-md truncate" title={j.failed_reason}>
                    {j.failed_reason}
                  </td>
                  <td>{j.failed_at ? <When t={String(j.failed_at)} /> : ''}</td>
                  <td className="text-right">
                    <Button
                      variant="secondary"
                      className="px-2 py-1 text-xs"
                      disabled={retry.isPending}
                      onClick={() => retry.mutate({ queue: j.queue, job_id: j.id })}
                    >
                      Retry
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {retry.error && (
          <div className="mt-3">
            <Alert>{retry.error.message}</Alert>
          </div>
        )}
      </Card>
    </div>
  )
}
