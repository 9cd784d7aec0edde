import 'server-only'
import { DAY_MS, HOUR_MS, micros } from '@/lib/domain'
import { pool } from '@/lib/db'
import { listPools } from '@/lib/gpu'
import { hourlyCosts, idleCost, microsToUsd, monthlyMicros, POOL_ROLES, quantile, RIGHT_SIZING, rightSizing, type TPoolVersion } from '@/lib/gpu/cost'
import type { TFleetHint, TFleetPool, TFleetRole, TFleetSummary, TPoolView } from '@/lib/gpu/schema'

// The fleet page's numbers, read from the pools' versions and the hourly
// utilization aggregates (never the raw samples).

export const versionsOf = (p: TPoolView): TPoolVersion[] =>
  p.versions.map((v) => ({ effective_from: new Date(v.effective_from), gpu_count: v.gpu_count, gpu_hour_usd: v.effective_gpu_hour_usd }))

export async function fleetSummary(orgId: string, days: number, now = new Date()): Promise<TFleetSummary> {
  const to = now
  const from = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - days * DAY_MS)
  const sizingFrom = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - RIGHT_SIZING.windowDays * DAY_MS)
  const readFrom = new Date(Math.min(from.getTime(), sizingFrom.getTime()))
  const [pools, util] = await Promise.all([
    listPools(orgId, now),
    pool().query<{ pool_id: string; hour: Date; util: number }>(
      `SELECT pool_id, hour, util_sum / samples / 100 AS util FROM gpu_util_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $3 AND samples > 0`,
      [orgId, readFrom, to],
    ),
  ])
  const utilByPool = new Map<string, Map<number, number>>()
  for (const r of util.rows) {
    const m = utilByPool.get(r.pool_id) ?? new Map<number, number>()
    m.set(r.hour.getTime(), r.util)
    utilByPool.set(r.pool_id, m)
  }

  const outPools: TFleetPool[] = []
  const hints: TFleetHint[] = []
  let totPaid = 0n,
    totIdle = 0n,
    totUnmeasured = 0n,
    totMonthly = 0n,
    totMeasured = 0n,
    totWeighted = 0
  const dayValues = new Map<string, Record<string, number | null>>()
  for (let d = Math.floor(from.getTime() / DAY_MS) * DAY_MS; d < to.getTime(); d += DAY_MS) dayValues.set(new Date(d).toISOString().slice(0, 10), {})
  const roleAgg = new Map<string, { pools: number; gpus: number; monthly: bigint; paid: bigint; idle: bigint }>()

  for (const p of pools) {
    const versions = versionsOf(p)
    const u = utilByPool.get(p.id) ?? new Map<number, number>()
    const periodUtil = new Map([...u].filter(([h]) => h >= from.getTime()))
    const hours = hourlyCosts(versions, from, to)
    const idle = idleCost(hours, periodUtil)
    const current = p.current
    const monthly = monthlyMicros(current ? { gpu_count: current.gpu_count, gpu_hour_usd: current.effective_gpu_hour_usd } : null)
    outPools.push({
      id: p.id,
      name: p.name,
      role: p.role,
      gpu_type: p.gpu_type,
      region: p.region,
      serves: p.serves,
      gpu_count: current?.gpu_count ?? 0,
      gpu_hour_usd: current?.effective_gpu_hour_usd ?? null,
      monthly_usd: microsToUsd(monthly),
      period_cost_usd: microsToUsd(idle.paid_micros),
      idle_cost_usd: microsToUsd(idle.idle_micros),
      unmeasured_cost_usd: microsToUsd(idle.unmeasured_micros),
      avg_utilization: idle.avg_utilization,
      p95_utilization: quantile([...periodUtil.values()], 0.95),
      hours_measured: idle.measured_hours,
      hours: idle.hours,
    })
    totPaid += idle.paid_micros
    totIdle += idle.idle_micros
    totUnmeasured += idle.unmeasured_micros
    totMonthly += monthly
    totMeasured += idle.measured_micros
    totWeighted += idle.avg_utilization === null ? 0 : idle.avg_utilization * Number(idle.measured_micros)
    const ra = roleAgg.get(p.role) ?? { pools: 0, gpus: 0, monthly: 0n, paid: 0n, idle: 0n }
    ra.pools++
    ra.gpus += current?.gpu_count ?? 0
    ra.monthly += monthly
    ra.paid += idle.paid_micros
    ra.idle += idle.idle_micros
    roleAgg.set(p.role, ra)

    // Daily means of the hourly means, for the chart.
    const perDay = new Map<string, { sum: number; n: number }>()
    for (const [h, v] of periodUtil) {
      const day = new Date(h).toISOString().slice(0, 10)
      const a = perDay.get(day) ?? { sum: 0, n: 0 }
      a.sum += v
      a.n++
      perDay.set(day, a)
    }
    for (const [day, values] of dayValues) {
      const a = perDay.get(day)
      values[p.name] = a ? a.sum / a.n : null
    }

    if (current) {
      const recent = [...u].filter(([h]) => h >= sizingFrom.getTime()).map(([, v]) => v)
      const hint = rightSizing({
        pool: p.name,
        role: p.role,
        gpu_type: p.gpu_type,
        gpu_count: current.gpu_count,
        gpu_hour_usd: current.effective_gpu_hour_usd,
        hourly: recent,
      })
      if (hint) {
        hints.push({
          pool: p.name,
          role: p.role,
          text: hint.text,
          needed_gpus: hint.needed_gpus,
          gpu_count: hint.gpu_count,
          release_gpus: hint.release_gpus,
          avg_utilization: hint.avg_utilization,
          p95_utilization: hint.p95_utilization,
          headroom: hint.headroom,
          window_days: hint.window_days,
          hours_measured: hint.hours_measured,
          saving_per_month_usd: microsToUsd(hint.saving_per_month_micros),
        })
      }
    }
  }

  const roleOrder = (r: string) => (POOL_ROLES as readonly string[]).indexOf(r)
  const roles: TFleetRole[] = [...roleAgg.entries()]
    .sort((a, b) => roleOrder(a[0]) - roleOrder(b[0]))
    .map(([role, a]) => ({
      role,
      pools: a.pools,
      gpus: a.gpus,
      monthly_usd: microsToUsd(a.monthly),
      share: totMonthly > 0n ? Number(a.monthly) / Number(totMonthly) : 0,
      period_cost_usd: microsToUsd(a.paid),
      idle_cost_usd: microsToUsd(a.idle),
    }))
  hints.sort((a, b) => Number(b.saving_per_month_usd) - Number(a.saving_per_month_usd))
  // the hints together: exact micro-dollars, summed before formatting
  const hintsSaving = hints.reduce((sum, h) => sum + micros(h.saving_per_month_usd), 0n)
  return {
    period: { from: from.toISOString(), to: to.toISOString(), days },
    totals: {
      pools: pools.length,
      gpus: outPools.reduce((s, p) => s + p.gpu_count, 0),
      monthly_usd: microsToUsd(totMonthly),
      period_cost_usd: microsToUsd(totPaid),
      idle_cost_usd: microsToUsd(totIdle),
      unmeasured_cost_usd: microsToUsd(totUnmeasured),
      avg_utilization: totMeasured > 0n ? totWeighted / Number(totMeasured) : null,
    },
    roles,
    pools: outPools,
    utilization: [...dayValues].map(([day, values]) => ({ day, values })),
    hints,
    right_sizing: {
      window_days: RIGHT_SIZING.windowDays,
      headroom: RIGHT_SIZING.headroom,
      saving_per_month_usd: microsToUsd(hintsSaving),
      rule: `GPUs needed = ⌈GPUs × p95 of hourly utilization over the last ${RIGHT_SIZING.windowDays} days ÷ ${1 - RIGHT_SIZING.headroom}⌉ (${RIGHT_SIZING.headroom * 100}% headroom); reserve pools are idle by design and are not sized.`,
    },
  }
}
