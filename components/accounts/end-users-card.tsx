'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import { Alert, Card, Skeleton } from '@/components/ui'
import * as api from '@/lib/end-users/api'
import type { TQueryOf } from '@/lib/http/endpoint'
import type { TEndUserRow } from '@/lib/end-users/schema'
import { formatCount, formatMultiple, formatPercent, formatUsd } from '@/lib/format'

// The end users (user_id) that cost the most, of one account or of the organization, flagged when far above their
// account's median user: abuse, or an integration that runs away.

export const endUserQueries = {
  all: (org: string) => ['end-users', org] as const,
  list: (org: string, query: TQueryOf<typeof api.endUsers>) => [...endUserQueries.all(org), query] as const,
}

export function useEndUsers(org: string, query: TQueryOf<typeof api.endUsers>) {
  return useQuery({
    queryKey: endUserQueries.list(org, query),
    queryFn: ({ signal }) => callApi(api.endUsers, { org, query, signal }),
  })
}

const th = 'px-2 py-2 font-medium text-right'
const td = 'num px-2 text-right'

export function EndUsersCard({ org, query, linkQuery }: { org: string; query: TQueryOf<typeof api.endUsers>; linkQuery: string }) {
  const q = useEndUsers(org, query)
  const perAccount = !!query.account_id
  const flagged = q.data?.users.filter((u) => u.flagged) ?? []
  return (
    <Card
      title={perAccount ? 'Top end users' : 'Top end users of the organization'}
      subtitle={
        q.data
          ? `By spend in the period (USD), of ${formatCount(q.data.users_counted)} users with calls (${formatUsd(q.data.total_cost_usd)} in all); ${q.data.flag_rule.text}.`
          : 'By spend in the period (USD).'
      }
    >
      {q.error ? (
        <Alert>{q.error.message}</Alert>
      ) : !q.data ? (
        <Skeleton className="h-40" />
      ) : q.data.users.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="end-users-empty">
          No calls {perAccount ? 'of this account ' : ''}carry a <code>user_id</code> in this period. Send the end user&apos;s id as <code>user_id</code> on
          events (or <code>outlay.user_id</code> in OpenTelemetry) to see who costs what.
        </p>
      ) : (
        <>
          {flagged.length > 0 && (
            <Alert tone="warning">
              <span data-testid="end-users-flagged">
                {flagged.map((u, i) => (
                  <span key={`${u.account_id}/${u.user_id}`}>
                    {i > 0 && ' '}
                    <strong>{u.user_id}</strong>
                    {!perAccount && u.account_id ? ` (${u.account_id})` : ''}: {formatUsd(u.cost_usd)},{' '}
                    {u.times_median === null ? 'where the median user costs nothing' : `${formatMultiple(u.times_median, 0)} the account's median user`} (
                    {formatUsd(u.account_median_cost_usd, { precise: true })}).
                  </span>
                ))}
              </span>
            </Alert>
          )}
          <UsersTable rows={q.data.users} org={org} perAccount={perAccount} linkQuery={linkQuery} />
        </>
      )}
    </Card>
  )
}

function UsersTable({ rows, org, perAccount, linkQuery }: { rows: TEndUserRow[]; org: string; perAccount: boolean; linkQuery: string }) {
  const sorter = useSort(rows, {
    user: (u) => u.user_id,
    account: (u) => u.account_id,
    calls: (u) => u.calls,
    cost: (u) => moneyKey(u.cost_usd),
    share: (u) => u.share_of_account,
    median: (u) => moneyKey(u.account_median_cost_usd),
    times: (u) => u.times_median,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="end-users-table">
        <caption className="sr-only">End users by spend, largest first, with their account&apos;s median user</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="user" className="py-2 pr-2 text-left font-medium">
              User
            </SortTh>
            {!perAccount && (
              <SortTh sorter={sorter} k="account" className="px-2 py-2 text-left font-medium">
                Account
              </SortTh>
            )}
            <SortTh sorter={sorter} k="calls" className={th}>
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="cost" className={th}>
              Spend (USD)
            </SortTh>
            <SortTh sorter={sorter} k="share" className={th}>
              Share of account
            </SortTh>
            <SortTh sorter={sorter} k="median" className={th} title="the median user's spend in the account (the lower middle value for an even count)">
              Account median (USD)
            </SortTh>
            <SortTh sorter={sorter} k="times" className={th}>
              × median
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((u) => (
            <tr
              key={`${u.account_id}/${u.user_id}`}
              className={`border-t border-slate-100 ${u.flagged ? 'bg-amber-50' : ''}`}
              data-user={u.user_id}
              data-cost={u.cost_usd}
              data-flagged={u.flagged || undefined}
            >
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                {u.user_id}
                {u.flagged && <span className="ml-1 text-xs font-semibold text-amber-800">flagged</span>}
              </th>
              {!perAccount && (
                <td className="px-2 text-left">
                  {u.account_id ? (
                    <Link href={`/${org}/accounts/${encodeURIComponent(u.account_id)}?${linkQuery}`} className="text-brand-700 hover:underline">
                      {u.account_id}
                    </Link>
                  ) : (
                    <span className="text-slate-400">no account</span>
                  )}
                </td>
              )}
              <td className={td}>{formatCount(u.calls)}</td>
              <td className={td}>{formatUsd(u.cost_usd, { precise: true })}</td>
              <td className={`${td} text-slate-600`}>{u.share_of_account === null ? '—' : formatPercent(u.share_of_account)}</td>
              <td className={`${td} text-slate-600`}>
                {formatUsd(u.account_median_cost_usd, { precise: true })} <span className="text-xs text-slate-400">({formatCount(u.account_users)} users)</span>
              </td>
              <td className={`${td} ${u.flagged ? 'font-semibold text-amber-800' : 'text-slate-600'}`}>
                {u.times_median === null ? '—' : formatMultiple(u.times_median)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
