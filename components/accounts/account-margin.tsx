'use client'
import { moneyKey } from '@/lib/table/sort'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { Alert, Card, Skeleton } from '@/components/ui'
import { useAccountMargin } from '@/components/accounts/margin-queries'
import { marginRange, marginText, monthsLabel, NO_REVENUE, shareText } from '@/lib/accounts/view'
import type { TMarginMonth } from '@/lib/accounts/schema'
import { formatUsd } from '@/lib/format'

// The account page's margin after AI cost: each whole month of the period, revenue against AI cost.

const th = 'px-2 py-2 font-medium text-right'
const td = 'num px-2 text-right'

export function AccountMargin({ org, account, period }: { org: string; account: string; period: { from: string; to: string } }) {
  const margin = useAccountMargin(org, marginRange(period), account)
  const row = margin.data?.rows.find((r) => r.account_id === account)
  const months = margin.data ? monthsLabel(margin.data) : ''
  const sorter = useSort(row?.months, {
    month: (m) => m.month,
    revenue: (m) => moneyKey(m.revenue_usd),
    cost: (m) => moneyKey(m.cost_usd),
    share: (m) => m.cost_share,
    margin: (m) => moneyKey(m.margin_usd),
  })
  return (
    <Card
      title="Margin after AI cost"
      subtitle={`Revenue you recorded for this account against its production-traffic AI cost, per whole month of the period${months ? ` (${months})` : ''}. USD.`}
    >
      {margin.error ? (
        <Alert>{margin.error.message}</Alert>
      ) : !margin.data ? (
        <Skeleton className="h-32" />
      ) : (
        <>
          {!row?.months_with_revenue && (
            <p className="mb-3 text-sm text-slate-600" data-testid="margin-empty">
              No revenue recorded for {account} in {months}. Send it per account and month to <code>PUT /api/v1/accounts/revenue</code> (JSON{' '}
              <code>{'{"rows": [{"account_id", "month", "revenue_usd"}]}'}</code> or CSV <code>account_id,month,revenue_usd</code>).
            </p>
          )}
          <div className={row ? 'overflow-x-auto' : 'hidden'}>
            <table className="w-full text-sm" data-testid="account-margin-table">
              <caption className="sr-only">Revenue, AI cost, AI cost as a share of revenue and gross margin per month</caption>
              <thead className="text-xs uppercase text-slate-500">
                <tr className="border-b border-slate-200">
                  <SortTh sorter={sorter} k="month" className="py-2 pr-2 text-left font-medium">
                    Month
                  </SortTh>
                  <SortTh sorter={sorter} k="revenue" term="revenue" className={th}>
                    Revenue
                  </SortTh>
                  <SortTh sorter={sorter} k="cost" term="ai_cost" className={th}>
                    AI cost
                  </SortTh>
                  <SortTh sorter={sorter} k="share" term="ai_cost_share" className={th}>
                    AI cost / revenue
                  </SortTh>
                  <SortTh sorter={sorter} k="margin" term="gross_margin" className={th}>
                    Gross margin
                  </SortTh>
                </tr>
              </thead>
              <tbody>
                {sorter.rows.map((m) => (
                  <MonthRow key={m.month} m={m} />
                ))}
                {row && row.months.length > 1 && (
                  <tr className="border-t border-slate-300 font-semibold" data-month="total">
                    <th scope="row" className="py-1.5 pr-2 text-left">
                      Total
                    </th>
                    <Cells m={row} />
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Card>
  )
}

function MonthRow({ m }: { m: TMarginMonth }) {
  return (
    <tr className="border-t border-slate-100" data-month={m.month}>
      <th scope="row" className="py-1.5 pr-2 text-left font-medium">
        {monthsLabel({ from_month: m.month, to_month: m.month })}
      </th>
      <Cells m={m} />
    </tr>
  )
}

function Cells({ m }: { m: Omit<TMarginMonth, 'month'> }) {
  const none = <span className="text-xs font-normal text-slate-500">{NO_REVENUE}</span>
  return (
    <>
      <td className={td} data-revenue={m.revenue_usd ?? ''}>
        {m.revenue_usd === null ? none : formatUsd(m.revenue_usd)}
      </td>
      <td className={td} data-ai-cost={m.cost_usd}>
        {formatUsd(m.cost_usd)}
      </td>
      <td className={`${td} ${m.cost_share !== null && m.cost_share >= 0.5 ? 'text-amber-700' : ''}`} data-share={m.cost_share ?? ''}>
        {m.revenue_usd === null ? none : shareText(m.cost_share, m.revenue_usd)}
      </td>
      <td className={`${td} ${m.margin_usd?.startsWith('-') ? 'text-red-700' : ''}`} data-margin={m.margin_usd ?? ''}>
        {m.margin_usd === null ? none : marginText(m.margin_usd)}
      </td>
    </>
  )
}
