'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { When } from '@/components/layout/time-zone'
import { useInfiniteQuery } from '@tanstack/react-query'
import { Fragment, useState, type FormEvent } from 'react'
import { ApiError, callApi, endpointUrl } from '@/components/api'
import { Alert, Button, Card, Field, Input, Skeleton } from '@/components/ui'
import { AuditLogDiff } from '@/components/settings/audit-log-diff'
import type { TAuditEntry } from '@/lib/audit/schema'
import * as api from '@/lib/audit/api'
import type { TQueryOf } from '@/lib/http/endpoint'

// Who changed what, when: GET /api/v1/audit-log, newest first, filtered, a page at a time; each entry
// opens to its before/after diff. The CSV link exports what the filters select.

type TFilters = Pick<TQueryOf<typeof api.auditLog>, 'actor' | 'action' | 'target_type' | 'from' | 'to'>

export const auditLogQueries = {
  list: (org: string, f: TFilters) => ['audit-log', org, f] as const,
}

function useAuditLog(org: string, f: TFilters) {
  return useInfiniteQuery({
    queryKey: auditLogQueries.list(org, f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => callApi(api.auditLog, { org, query: { ...f, cursor: pageParam ?? undefined }, signal }),
    getNextPageParam: (last) => last.next_cursor,
  })
}

const who = (e: TAuditEntry) => (e.actor.type === 'api_key' ? `API key “${e.actor.label}”` : e.actor.label)
const target = (e: TAuditEntry) => `${e.target.type.replaceAll('_', ' ')}${e.target.id ? ` ${e.target.id}` : ''}`
/** A datetime-local value (local time) as an ISO instant. */
const instant = (v: FormDataEntryValue | null) => (v ? new Date(String(v)).toISOString() : undefined)

export function AuditLog({ org }: { org: string }) {
  const [filters, setFilters] = useState<TFilters>({})
  const [open, setOpen] = useState<string | null>(null)
  const log = useAuditLog(org, filters)
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? []
  const filtered = Object.values(filters).some(Boolean)

  function onFilter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined
    setFilters({
      actor: text('actor'),
      action: text('action'),
      target_type: text('target_type'),
      from: instant(f.get('from') || null),
      to: instant(f.get('to') || null),
    })
    setOpen(null)
  }

  const sorter = useSort(entries, {
    when: (e) => e.at,
    who: (e) => who(e),
    action: (e) => e.action,
    target: (e) => target(e),
  })
  return (
    <Card
      title="Audit log"
      subtitle="Every change of configuration or access: who made it, when, and what it changed."
      actions={
        <a className="text-sm text-indigo-700 underline" href={endpointUrl(api.auditLog, { org, query: { ...filters, format: 'csv' } })} download>
          Export CSV
        </a>
      }
    >
      <form onSubmit={onFilter} className="mb-4 grid grid-cols-1 gap-3 md:grid-cols-6" aria-label="Filter the audit log">
        <Field label="Who" htmlFor="audit-actor" hint="email, key name or id">
          <Input id="audit-actor" name="actor" />
        </Field>
        <Field label="Action" htmlFor="audit-action" hint="e.g. budget.update">
          <Input id="audit-action" name="action" />
        </Field>
        <Field label="Target type" htmlFor="audit-target" hint="e.g. budget">
          <Input id="audit-target" name="target_type" />
        </Field>
        <Field label="From" htmlFor="audit-from">
          <Input id="audit-from" name="from" type="datetime-local" />
        </Field>
        <Field label="To" htmlFor="audit-to">
          <Input id="audit-to" name="to" type="datetime-local" />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit">Filter</Button>
          {filtered && (
            <Button type="reset" variant="secondary" onClick={() => setFilters({})}>
              Clear
            </Button>
          )}
        </div>
      </form>

      {log.isPending ? (
        <Skeleton className="h-32" />
      ) : log.isError ? (
        <Alert>{log.error instanceof ApiError ? [log.error.message, ...log.error.lines].join(' — ') : 'The audit log could not be loaded.'}</Alert>
      ) : entries.length === 0 ? (
        <Alert tone="info">
          {filtered
            ? 'No change matches these filters.'
            : 'No change has been recorded yet. Changes to prices, budgets, policies, keys and other settings will appear here.'}
        </Alert>
      ) : (
        <>
          <table className="w-full text-sm" data-testid="audit-log">
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs uppercase text-slate-500">
                <SortTh sorter={sorter} k="when" className="py-2 pr-4 font-medium">
                  When
                </SortTh>
                <SortTh sorter={sorter} k="who" className="py-2 pr-4 font-medium">
                  Who
                </SortTh>
                <SortTh sorter={sorter} k="action" className="py-2 pr-4 font-medium">
                  Action
                </SortTh>
                <SortTh sorter={sorter} k="target" className="py-2 pr-4 font-medium">
                  Target
                </SortTh>
                <th className="py-2 font-medium">
                  <span className="sr-only">Changes</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorter.rows.map((e) => (
                <Fragment key={e.id}>
                  <tr className="border-b border-slate-100 align-top" data-testid="audit-entry">
                    <td className="py-2 pr-4 whitespace-nowrap">
                      <When t={e.at} />
                    </td>
                    <td className="py-2 pr-4">{who(e)}</td>
                    <td className="py-2 pr-4 font-mono text-xs">{e.action}</td>
                    <td className="py-2 pr-4 break-all">{target(e)}</td>
                    <td className="py-2 text-right">
                      <Button
                        type="button"
                        variant="secondary"
                        aria-expanded={open === e.id}
                        aria-controls={`audit-diff-${e.id}`}
                        onClick={() => setOpen(open === e.id ? null : e.id)}
                      >
                        {open === e.id ? 'Hide changes' : 'Show changes'}
                      </Button>
                    </td>
                  </tr>
                  {open === e.id && (
                    <tr id={`audit-diff-${e.id}`}>
                      <td colSpan={5} className="bg-slate-50 px-4 py-3">
                        <AuditLogDiff entry={e} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {log.hasNextPage && (
            <div className="mt-4">
              <Button type="button" variant="secondary" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
                {log.isFetchingNextPage ? 'Loading…' : 'Older changes'}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  )
}
