import { HOUR_MS } from '@/lib/domain'
import { divRound, fromScaled, toScaled } from '@/lib/cost/money'

// GPU fleet arithmetic, pure: a pool's price per GPU-hour, what it costs over
// time as it grows and shrinks, how much of that paid for idle GPUs, and how
// many GPUs its load needs. Money is integer micro-dollars (bigint).

/** Hours in a month for amortization and monthly run-rates (8,760 h / 12). */
export const HOURS_PER_MONTH = 730
const PRICE_SCALE = 9

export const POOL_ROLES = ['production', 'staging', 'canary', 'reserve', 'test', 'debug', 'eval'] as const
export type TPoolRole = (typeof POOL_ROLES)[number]

export type TPricing =
  | { pricing: 'hourly'; gpu_hour_usd: string }
  | { pricing: 'amortized'; purchase_usd_per_gpu: string; amortization_months: number; power_hosting_usd_per_gpu_hour: string }

/**
 * What one GPU costs per hour: the hourly price, or the purchase price spread
 * over its months of 730 hours plus power and hosting per hour; exact to 9
 * decimals (half up), the precision gpu_pool_prices keeps.
 */
export function effectiveGpuHourUsd(p: TPricing): string {
  if (p.pricing === 'hourly') return fromScaled(toScaled(p.gpu_hour_usd, PRICE_SCALE), PRICE_SCALE)
  if (!Number.isInteger(p.amortization_months) || p.amortization_months < 1) throw new RangeError('amortization_months must be an integer ≥ 1')
  const capital = divRound(toScaled(p.purchase_usd_per_gpu, PRICE_SCALE), BigInt(p.amortization_months * HOURS_PER_MONTH))
  return fromScaled(capital + toScaled(p.power_hosting_usd_per_gpu_hour, PRICE_SCALE), PRICE_SCALE)
}

/** A pool version in force from effective_from until the next one. */
export type TPoolVersion = { effective_from: Date; gpu_count: number; gpu_hour_usd: string }

const sorted = (versions: readonly TPoolVersion[]) => [...versions].sort((a, b) => a.effective_from.getTime() - b.effective_from.getTime())

/** The version in force at `at`, or null before the first one. */
export function versionAt(versions: readonly TPoolVersion[], at: Date): TPoolVersion | null {
  let found: TPoolVersion | null = null
  for (const v of sorted(versions)) if (v.effective_from.getTime() <= at.getTime()) found = v
  return found
}

/** Paid GPU-time (GPU × ms, as a count of GPU-milliseconds) and its cost in micro-dollars over [from, to). */
export function poolCost(versions: readonly TPoolVersion[], from: Date, to: Date): { gpu_ms: bigint; cost_micros: bigint } {
  return costOfSorted(sorted(versions), from, to)
}

function costOfSorted(list: readonly TPoolVersion[], from: Date, to: Date): { gpu_ms: bigint; cost_micros: bigint } {
  const { gpuMs, work } = workOfSorted(list, from, to)
  return { gpu_ms: gpuMs, cost_micros: divRound(work, WORK_PER_MICRO) }
}

// USD×1e9 × ms / 3.6e6 ms/h = USD×1e9 per hour-unit; → micro-dollars: / 1e3
const WORK_PER_MICRO = BigInt(HOUR_MS) * 1000n

/** Exact paid GPU-time over [from, to): GPU-milliseconds, and their cost in USD × 1e9 × ms (unrounded). */
function workOfSorted(list: readonly TPoolVersion[], from: Date, to: Date): { gpuMs: bigint; work: bigint } {
  let gpuMs = 0n
  let work = 0n // USD × 1e9 × ms
  for (let i = 0; i < list.length; i++) {
    const start = Math.max(list[i].effective_from.getTime(), from.getTime())
    const end = Math.min(i + 1 < list.length ? list[i + 1].effective_from.getTime() : Infinity, to.getTime())
    if (end <= start) continue
    const g = BigInt(list[i].gpu_count) * BigInt(end - start)
    gpuMs += g
    work += g * toScaled(list[i].gpu_hour_usd, PRICE_SCALE)
  }
  return { gpuMs, work }
}

/**
 * Cost of each UTC hour in [from, to) (from rounded down to the hour). Rounded
 * cumulatively: each hour is the rounded cost to its end less the rounded cost
 * to its start, so the hours add up to poolCost over the whole span exactly
 * (the fleet page's paid cost is the same micro-dollars as Scenario cost's and
 * the whole bill's).
 */
export function hourlyCosts(versions: readonly TPoolVersion[], from: Date, to: Date): { hour: Date; gpus: number; cost_micros: bigint }[] {
  const out: { hour: Date; gpus: number; cost_micros: bigint }[] = []
  const list = sorted(versions)
  let cum = 0n
  let shown = 0n
  for (let t = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; t < to.getTime(); t += HOUR_MS) {
    const end = Math.min(t + HOUR_MS, to.getTime())
    const c = workOfSorted(list, new Date(t), new Date(end))
    cum += c.work
    const upTo = divRound(cum, WORK_PER_MICRO)
    out.push({ hour: new Date(t), gpus: Number(c.gpuMs) / (end - t), cost_micros: upTo - shown })
    shown = upTo
  }
  return out
}

/** Monthly run-rate of a pool at one version: GPUs × price × 730 h, micro-dollars. */
export function monthlyMicros(v: Pick<TPoolVersion, 'gpu_count' | 'gpu_hour_usd'> | null): bigint {
  if (!v) return 0n
  return divRound(BigInt(v.gpu_count) * toScaled(v.gpu_hour_usd, PRICE_SCALE) * BigInt(HOURS_PER_MONTH), 1000n)
}

export type TIdleCost = {
  /** what the pool cost over the period */
  paid_micros: bigint
  /** the part of it in hours that have utilization samples */
  measured_micros: bigint
  /** paid × (1 − utilization), summed hour by hour over the measured hours */
  idle_micros: bigint
  /** paid in hours without samples: utilization unknown, not counted as idle */
  unmeasured_micros: bigint
  measured_hours: number
  hours: number
  /** mean utilization (0–1) over the measured hours, weighted by each hour's cost */
  avg_utilization: number | null
}

/**
 * Idle cost = paid GPU-hours × (1 − utilization), hour by hour. `utilization`
 * maps an hour's start (ms) to the pool's mean utilization in it, 0–1.
 */
export function idleCost(hours: readonly { hour: Date; cost_micros: bigint }[], utilization: ReadonlyMap<number, number>): TIdleCost {
  let paid = 0n
  let measured = 0n
  let idle = 0n
  let measuredHours = 0
  let weighted = 0
  for (const h of hours) {
    paid += h.cost_micros
    const u = utilization.get(h.hour.getTime())
    if (u === undefined) continue
    const clamped = Math.min(1, Math.max(0, u))
    measured += h.cost_micros
    measuredHours++
    // The idle share of an hour's (exact) cost, rounded to the micro-dollar: utilization is a measurement, not money.
    idle += BigInt(Math.round(Number(h.cost_micros) * (1 - clamped)))
    weighted += Number(h.cost_micros) * clamped
  }
  return {
    paid_micros: paid,
    measured_micros: measured,
    idle_micros: idle,
    unmeasured_micros: paid - measured,
    measured_hours: measuredHours,
    hours: hours.length,
    avg_utilization: measured > 0n ? weighted / Number(measured) : null,
  }
}

/** Nearest-rank quantile of values (q in 0–1); null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}

export const RIGHT_SIZING = { windowDays: 14, headroom: 0.2, minCoverage: 0.5 } as const

export type TRightSizing = {
  pool: string
  gpu_type: string
  gpu_count: number
  window_days: number
  hours_measured: number
  avg_utilization: number
  p95_utilization: number
  headroom: number
  needed_gpus: number
  release_gpus: number
  saving_per_month_micros: bigint
  text: string
}

/**
 * How many GPUs would carry the pool's p95 hourly load with headroom:
 * needed = max(1, ⌈count × p95 ÷ (1 − headroom)⌉). A hint only when fewer than
 * the pool has, with at least half the window's hours measured; reserve pools
 * are idle by design and get none.
 */
export function rightSizing(input: {
  pool: string
  role: string
  gpu_type: string
  gpu_count: number
  gpu_hour_usd: string
  /** each measured hour's mean utilization in the window, 0–1 */
  hourly: readonly number[]
  windowDays?: number
  headroom?: number
}): TRightSizing | null {
  const windowDays = input.windowDays ?? RIGHT_SIZING.windowDays
  const headroom = input.headroom ?? RIGHT_SIZING.headroom
  if (input.role === 'reserve' || input.gpu_count < 2) return null
  if (input.hourly.length < windowDays * 24 * RIGHT_SIZING.minCoverage) return null
  const p95 = quantile(input.hourly, 0.95)!
  const avg = input.hourly.reduce((s, u) => s + u, 0) / input.hourly.length
  // A tiny epsilon keeps 8 × 0.5 / 0.8 = 5.000000000000001 from asking for a 6th GPU.
  const needed = Math.max(1, Math.ceil((input.gpu_count * p95) / (1 - headroom) - 1e-9))
  if (needed >= input.gpu_count) return null
  const release = input.gpu_count - needed
  const saving = monthlyMicros({ gpu_count: release, gpu_hour_usd: input.gpu_hour_usd })
  const pct = (r: number) => `${Math.round(r * 100)}%`
  const text =
    `${input.pool} averaged ${pct(avg)} utilization over ${windowDays} days (p95 of hourly utilization ${pct(p95)}, ${input.hourly.length} hours measured): ` +
    `${needed} of its ${input.gpu_count} ${input.gpu_type}s would carry its p95 load at most ${pct(1 - headroom)} busy (${pct(headroom)} headroom); ` +
    `releasing ${release} saves about $${(Number(saving) / 1e6).toLocaleString('en-US', { maximumFractionDigits: 0 })} per month.`
  return {
    pool: input.pool,
    gpu_type: input.gpu_type,
    gpu_count: input.gpu_count,
    window_days: windowDays,
    hours_measured: input.hourly.length,
    avg_utilization: avg,
    p95_utilization: p95,
    headroom,
    needed_gpus: needed,
    release_gpus: release,
    saving_per_month_micros: saving,
    text,
  }
}

/** Micro-dollars → a USD decimal string with 6 decimals. */
export const microsToUsd = (m: bigint): string => fromScaled(m, 6)
