'use client'
import { DAY_MS } from '@/lib/domain'
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { Alert, Card, Skeleton } from '@/components/ui'
import { useStepTraffic } from '@/components/routing/queries'
import { prepareLive } from '@/lib/routing/live'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import type { TPolicyDetail } from '@/lib/routing/policies'

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#64748b']
const DAYS = 30

/** Per step: share of calls per model per UTC day, escalation and fallback rates and cost per call, with the days versions were published. */
export function LiveView({ org, p }: { org: string; p: TPolicyDetail }) {
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS)
  const to = new Date(today.getTime() + DAY_MS).toISOString()
  const from = new Date(today.getTime() - (DAYS - 1) * DAY_MS).toISOString()
  const q = useStepTraffic(org, p.id, p.workflow_id, p.step, from, to)
  const live = q.data ? prepareLive(q.data.rows, p.versions, from, to) : null
  // Series keyed by index: recharts reads a dotted dataKey ("gemini-1.5-pro") as a nested path.
  const data = live?.days.map((d) => ({ day: d.day, ...Object.fromEntries(live.models.map((m, i) => [`m${i}`, d.shares[m] ?? 0])) }))
  const withCalls = live?.days.filter((d) => d.calls > 0) ?? []
  return (
    <Card title="Live: the step's production calls" subtitle={`Last ${DAYS} UTC days. Dashed lines: a version published.`}>
      {q.error && <Alert>Could not load the step&apos;s traffic: {q.error.message}</Alert>}
      {!live ? <Skeleton className="h-56" /> : withCalls.length === 0 ? (
        <p className="text-sm text-slate-600">No production calls of {p.workflow_id} · {p.step} in the last {DAYS} days. Send events with this workflow_id and step to see the share per model here.</p>
      ) : (
        <>
          <div className="h-56" role="img" aria-label={`Share of ${p.step} calls per model per day`}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 12, fill: '#64748b' }} minTickGap={16} />
                <YAxis tickFormatter={(v: number) => formatPercent(v, 0)} domain={[0, 1]} tick={{ fontSize: 12, fill: '#64748b' }} width={48} />
                <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(d) => `${d} (UTC)`} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {live.models.map((m, i) => <Bar key={m} dataKey={`m${i}`} name={m} stackId="1" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />)}
                {live.days.filter((d) => d.published.length).map((d) => <ReferenceLine key={d.day} x={d.day} stroke="#0f172a" strokeDasharray="4 2" label={{ value: d.published.map((v) => `v${v}`).join(', '), fontSize: 11, position: 'top' }} />)}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="mt-4 w-full text-sm" data-testid="live-days">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500"><tr><th className="py-1">Day (UTC)</th><th className="text-right">Calls</th><th className="text-right">Escalation rate</th><th className="text-right">Fallback rate</th><th className="text-right">Cost per call</th><th>Published</th></tr></thead>
            <tbody className="divide-y divide-slate-100">
              {live.days.filter((d) => d.calls > 0 || d.published.length).reverse().slice(0, 14).map((d) => (
                <tr key={d.day}>
                  <td className="py-1">{d.day}</td><td className="num text-right">{formatCount(d.calls)}</td>
                  <td className="num text-right">{d.escalation_rate === null ? '—' : formatPercent(d.escalation_rate)}</td>
                  <td className="num text-right">{d.fallback_rate === null ? '—' : formatPercent(d.fallback_rate)}</td>
                  <td className="num text-right">{d.cost_per_call_usd === null ? '—' : formatUsd(d.cost_per_call_usd)}</td>
                  <td>{d.published.map((v) => `v${v}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  )
}
