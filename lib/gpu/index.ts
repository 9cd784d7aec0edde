import 'server-only'
import { named } from '@/lib/sql'
import { DAY_MS, MINUTE_MS } from '@/lib/domain'
import type { PoolClient } from 'pg'
import { inTransaction, pool } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { badRequest, conflict, isUniqueViolation, notFound } from '@/lib/errors'
import { forgetPriceBook } from '@/lib/cost/pricebook'
import { scheduleReprice } from '@/lib/reprice'
import { issuesToLines } from '@/lib/validation'
import { effectiveGpuHourUsd, type TPricing } from '@/lib/gpu/cost'
import { ZSample, type TPoolCreate, type TPoolPatch, type TPoolVersionView, type TPoolView, type TSamplesAnswer, VERSION_KEYS } from '@/lib/gpu/schema'
import type { TParsedSample } from '@/lib/gpu/nvidia-smi'

// GPU fleet pools and their utilization samples. A pool's versions are the
// source of its price: each one's effective price per GPU-hour is written to
// gpu_pool_prices under the pool's name, which the cost engine reads
// (lib/cost/pricebook.ts), so self-hosted events are priced from the fleet.

type TPoolRow = {
  id: string
  name: string
  role: string
  gpu_type: string
  region: string | null
  serves: string[]
  allocation: TPoolView['allocation']
  shares: Record<string, number> | null
  created_at: Date
  updated_at: Date
}
type TVersionRow = {
  pool_id: string
  effective_from: Date
  gpu_count: number
  pricing: 'hourly' | 'amortized'
  gpu_hour_usd: string | null
  purchase_usd_per_gpu: string | null
  amortization_months: number | null
  power_hosting_usd_per_gpu_hour: string | null
  effective_gpu_hour_usd: string
}

const trim = (v: string | null) => (v === null ? null : v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

const versionView = (v: TVersionRow): TPoolVersionView => ({
  effective_from: v.effective_from.toISOString(),
  gpu_count: v.gpu_count,
  pricing: v.pricing,
  gpu_hour_usd: trim(v.gpu_hour_usd),
  purchase_usd_per_gpu: trim(v.purchase_usd_per_gpu),
  amortization_months: v.amortization_months,
  power_hosting_usd_per_gpu_hour: trim(v.power_hosting_usd_per_gpu_hour),
  effective_gpu_hour_usd: trim(v.effective_gpu_hour_usd)!,
})

const VERSION_COLUMNS = `pool_id, effective_from, gpu_count, pricing, gpu_hour_usd::text, purchase_usd_per_gpu::text, amortization_months,
  power_hosting_usd_per_gpu_hour::text, effective_gpu_hour_usd::text`

export async function listPools(orgId: string, now = new Date(), client?: PoolClient): Promise<TPoolView[]> {
  const q = client ?? pool()
  const [pools, versions] = await Promise.all([
    q.query<TPoolRow>(
      'SELECT id, name, role, gpu_type, region, serves, allocation, shares, created_at, updated_at FROM gpu_pools WHERE org_id = $1 ORDER BY name',
      [orgId],
    ),
    q.query<TVersionRow>(`SELECT ${VERSION_COLUMNS} FROM gpu_pool_versions WHERE org_id = $1 ORDER BY effective_from`, [orgId]),
  ])
  return pools.rows.map((p) => {
    const vs = versions.rows.filter((v) => v.pool_id === p.id)
    const current = [...vs].reverse().find((v) => v.effective_from.getTime() <= now.getTime()) ?? null
    return {
      id: p.id,
      name: p.name,
      role: p.role,
      gpu_type: p.gpu_type,
      region: p.region,
      serves: p.serves,
      allocation: p.allocation,
      shares: p.shares,
      current: current ? versionView(current) : null,
      versions: vs.map(versionView),
      created_at: p.created_at.toISOString(),
      updated_at: p.updated_at.toISOString(),
    }
  })
}

async function findPool(orgId: string, ref: { id?: string; name?: string }, client?: PoolClient): Promise<TPoolView> {
  const all = await listPools(orgId, new Date(), client)
  const found = all.find((p) => (ref.id ? p.id === ref.id : p.name === ref.name))
  if (!found) throw notFound(ref.id ? `No GPU pool with id ${ref.id}` : `No GPU pool named ${JSON.stringify(ref.name)}`)
  return found
}

export const getPool = (orgId: string, id: string) => findPool(orgId, { id })

type TVersionInput = { effective_from: Date; gpu_count: number } & TPricing

function pricingOf(b: Partial<Pick<TPoolCreate, (typeof VERSION_KEYS)[number]>>): TPricing {
  return b.pricing === 'amortized'
    ? {
        pricing: 'amortized',
        purchase_usd_per_gpu: b.purchase_usd_per_gpu!,
        amortization_months: b.amortization_months!,
        power_hosting_usd_per_gpu_hour: b.power_hosting_usd_per_gpu_hour ?? '0',
      }
    : { pricing: 'hourly', gpu_hour_usd: b.gpu_hour_usd! }
}

/** Insert (or replace, same effective_from) a version and the price row the cost engine reads. */
async function writeVersion(client: PoolClient, orgId: string, poolId: string, name: string, gpuType: string, v: TVersionInput): Promise<void> {
  const hourly = effectiveGpuHourUsd(v)
  const a = v.pricing === 'amortized' ? v : null
  await client.query(
    named(
      `INSERT INTO gpu_pool_versions (id, org_id, pool_id, effective_from, gpu_count, pricing, gpu_hour_usd, purchase_usd_per_gpu, amortization_months,
         power_hosting_usd_per_gpu_hour, effective_gpu_hour_usd)
       VALUES (gen_random_uuid(), :org_id, :pool_id, :effective_from, :gpu_count, :pricing, :gpu_hour_usd, :purchase_usd_per_gpu, :amortization_months,
               :power_hosting_usd_per_gpu_hour, :effective_gpu_hour_usd)
       ON CONFLICT (pool_id, effective_from) DO UPDATE SET gpu_count = EXCLUDED.gpu_count, pricing = EXCLUDED.pricing, gpu_hour_usd = EXCLUDED.gpu_hour_usd,
         purchase_usd_per_gpu = EXCLUDED.purchase_usd_per_gpu, amortization_months = EXCLUDED.amortization_months,
         power_hosting_usd_per_gpu_hour = EXCLUDED.power_hosting_usd_per_gpu_hour, effective_gpu_hour_usd = EXCLUDED.effective_gpu_hour_usd`,
      {
        org_id: orgId,
        pool_id: poolId,
        effective_from: v.effective_from,
        gpu_count: v.gpu_count,
        pricing: v.pricing,
        gpu_hour_usd: v.pricing === 'hourly' ? v.gpu_hour_usd : null,
        purchase_usd_per_gpu: a?.purchase_usd_per_gpu ?? null,
        amortization_months: a?.amortization_months ?? null,
        power_hosting_usd_per_gpu_hour: a?.power_hosting_usd_per_gpu_hour ?? null,
        effective_gpu_hour_usd: hourly,
      },
    ),
  )
  await client.query(
    `INSERT INTO gpu_pool_prices (id, org_id, pool, gpu_type, gpu_hour_usd, effective_from) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
     ON CONFLICT (org_id, pool, effective_from) DO UPDATE SET gpu_type = EXCLUDED.gpu_type, gpu_hour_usd = EXCLUDED.gpu_hour_usd`,
    [orgId, name, gpuType, hourly, v.effective_from],
  )
}

async function repriceFrom(orgId: string, name: string, from: Date): Promise<string[]> {
  forgetPriceBook(orgId)
  return scheduleReprice(orgId, [{ provider: null, model: null, gpuPool: name, from }])
}

/** opts.reprice false: no event can be on the pool yet (the demo seed creates pools before their traffic). */
export async function createPool(
  orgId: string,
  b: TPoolCreate,
  now = new Date(),
  opts: { reprice?: boolean } = {},
): Promise<{ pool: TPoolView; reprice_job_ids: string[] }> {
  const from = b.effective_from ?? now
  try {
    await inTransaction(async (client) => {
      const r = await client.query<{ id: string }>(
        `INSERT INTO gpu_pools (id, org_id, name, role, gpu_type, region, serves, allocation, shares)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id`,
        [orgId, b.name, b.role, b.gpu_type, b.region ?? null, b.serves ?? [], b.allocation ?? 'gpu_seconds', b.shares ? JSON.stringify(b.shares) : null],
      )
      await writeVersion(client, orgId, r.rows[0].id, b.name, b.gpu_type, { effective_from: from, gpu_count: b.gpu_count, ...pricingOf(b) })
      await recordAudit(client, orgId, {
        action: 'gpu_pool.create',
        target: { type: 'gpu_pool', id: r.rows[0].id },
        before: null,
        after: await findPool(orgId, { id: r.rows[0].id }, client),
      })
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A GPU pool named ${JSON.stringify(b.name)} already exists; change it with PATCH`)
    throw e
  }
  const reprice_job_ids = opts.reprice === false ? [] : await repriceFrom(orgId, b.name, from)
  return { pool: await findPool(orgId, { name: b.name }), reprice_job_ids }
}

/** Pool fields change at once; a size or price change becomes a version from effective_from (default now). */
export async function patchPool(
  orgId: string,
  ref: { id?: string; name?: string },
  b: TPoolPatch,
  now = new Date(),
  opts: { reprice?: boolean } = {},
): Promise<{ pool: TPoolView; reprice_job_ids: string[] }> {
  const existing = await findPool(orgId, ref)
  if (ref.id && b.name !== undefined && b.name !== existing.name)
    throw badRequest('Invalid pool', { errors: ['name: cannot change (events carry it as gpu_pool); create a new pool instead'] })
  const versionChange = VERSION_KEYS.some((k) => b[k] !== undefined)
  const from = b.effective_from ?? now
  const gpuType = b.gpu_type ?? existing.gpu_type
  await inTransaction(async (client) => {
    const serves = b.serves ?? existing.serves
    const shares = b.shares === undefined ? existing.shares : b.shares
    const allocation = b.allocation ?? existing.allocation
    const errors: string[] = []
    if (allocation === 'share' && !shares) errors.push('shares: is required when allocation is share')
    for (const k of Object.keys(shares ?? {})) if (!serves.includes(k)) errors.push(`shares.${k}: is not one of the scenarios the pool serves`)
    if (errors.length) throw badRequest('Invalid pool', { errors })
    await client.query(
      `UPDATE gpu_pools SET role = $3, gpu_type = $4, region = $5, serves = $6, allocation = $7, shares = $8::jsonb, updated_at = now() WHERE org_id = $1 AND id = $2`,
      [
        orgId,
        existing.id,
        b.role ?? existing.role,
        gpuType,
        b.region === undefined ? existing.region : b.region,
        serves,
        allocation,
        shares ? JSON.stringify(shares) : null,
      ],
    )
    if (b.gpu_type !== undefined)
      await client.query('UPDATE gpu_pool_prices SET gpu_type = $3 WHERE org_id = $1 AND pool = $2', [orgId, existing.name, gpuType])
    if (versionChange) {
      const base = [...existing.versions].reverse().find((v) => Date.parse(v.effective_from) <= from.getTime()) ?? existing.versions[0]
      if (!base && b.gpu_count === undefined) throw badRequest('Invalid pool', { errors: ['gpu_count: is required'] })
      const pricing = b.pricing ?? base.pricing
      // Price fields not sent are carried from the version in force, unless the pricing kind changes.
      const carry = pricing === base?.pricing ? base : null
      const merged = {
        pricing,
        gpu_hour_usd: b.gpu_hour_usd ?? carry?.gpu_hour_usd ?? undefined,
        purchase_usd_per_gpu: b.purchase_usd_per_gpu ?? carry?.purchase_usd_per_gpu ?? undefined,
        amortization_months: b.amortization_months ?? carry?.amortization_months ?? undefined,
        power_hosting_usd_per_gpu_hour: b.power_hosting_usd_per_gpu_hour ?? carry?.power_hosting_usd_per_gpu_hour ?? undefined,
      }
      const missing =
        pricing === 'hourly'
          ? merged.gpu_hour_usd === undefined
            ? ['gpu_hour_usd: is required when pricing is hourly']
            : []
          : [
              merged.purchase_usd_per_gpu === undefined && 'purchase_usd_per_gpu: is required when pricing is amortized',
              merged.amortization_months === undefined && 'amortization_months: is required when pricing is amortized',
            ].filter((x): x is string => !!x)
      if (missing.length) throw badRequest('Invalid pool', { errors: missing })
      await writeVersion(client, orgId, existing.id, existing.name, gpuType, {
        effective_from: from,
        gpu_count: b.gpu_count ?? base.gpu_count,
        ...pricingOf(merged),
      })
    }
    await recordAudit(client, orgId, {
      action: 'gpu_pool.update',
      target: { type: 'gpu_pool', id: existing.id },
      before: existing,
      after: await findPool(orgId, { id: existing.id }, client),
    })
  })
  const reprice_job_ids = versionChange && opts.reprice !== false ? await repriceFrom(orgId, existing.name, from) : []
  return { pool: await findPool(orgId, { id: existing.id }), reprice_job_ids }
}

/** Pool names the fleet owns: PUT /api/v1/prices may not set their price behind the fleet's back. */
export async function fleetPoolNames(orgId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return []
  const r = await pool().query<{ name: string }>('SELECT name FROM gpu_pools WHERE org_id = $1 AND name = ANY($2)', [orgId, names])
  return r.rows.map((x) => x.name)
}

// ---------------------------------------------------------------- samples

const FUTURE_MS = 5 * MINUTE_MS
const PAST_MS = 400 * DAY_MS

type TResolvedSample = { pool_id: string; gpu_index: number; ts: Date; util: number; mem: number | null }

/** Store samples once each (pool, GPU, timestamp) and add only the new ones to the hourly aggregates, in one transaction. */
async function storeSamples(orgId: string, samples: TResolvedSample[]): Promise<{ accepted: number; duplicates: number }> {
  if (samples.length === 0) return { accepted: 0, duplicates: 0 }
  return inTransaction(async (client) => {
    const ins = await client.query<{ pool_id: string; hour: Date; util: number; mem: number | null }>(
      `INSERT INTO gpu_samples (org_id, pool_id, gpu_index, ts, utilization_pct, memory_used_mib)
       SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::timestamptz[], $5::float8[], $6::float8[])
       ON CONFLICT DO NOTHING
       RETURNING pool_id, date_trunc('hour', ts, 'UTC') AS hour, utilization_pct AS util, memory_used_mib AS mem`,
      [orgId, samples.map((s) => s.pool_id), samples.map((s) => s.gpu_index), samples.map((s) => s.ts), samples.map((s) => s.util), samples.map((s) => s.mem)],
    )
    const agg = new Map<string, { pool_id: string; hour: Date; n: number; sum: number; max: number; memN: number; memSum: number }>()
    for (const r of ins.rows) {
      const k = `${r.pool_id}|${r.hour.getTime()}`
      const a = agg.get(k) ?? { pool_id: r.pool_id, hour: r.hour, n: 0, sum: 0, max: 0, memN: 0, memSum: 0 }
      a.n++
      a.sum += r.util
      a.max = Math.max(a.max, r.util)
      if (r.mem !== null) {
        a.memN++
        a.memSum += r.mem
      }
      agg.set(k, a)
    }
    // One order of row locks across concurrent imports: (pool, hour).
    const rows = [...agg.values()].sort((a, b) => a.pool_id.localeCompare(b.pool_id) || a.hour.getTime() - b.hour.getTime())
    if (rows.length) {
      await client.query(
        `INSERT INTO gpu_util_hourly (org_id, pool_id, hour, samples, util_sum, util_max, mem_samples, mem_sum)
         SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::int[], $5::float8[], $6::float8[], $7::int[], $8::float8[])
         ON CONFLICT (org_id, pool_id, hour) DO UPDATE SET samples = gpu_util_hourly.samples + EXCLUDED.samples,
           util_sum = gpu_util_hourly.util_sum + EXCLUDED.util_sum, util_max = greatest(gpu_util_hourly.util_max, EXCLUDED.util_max),
           mem_samples = gpu_util_hourly.mem_samples + EXCLUDED.mem_samples, mem_sum = gpu_util_hourly.mem_sum + EXCLUDED.mem_sum`,
        [
          orgId,
          rows.map((r) => r.pool_id),
          rows.map((r) => r.hour),
          rows.map((r) => r.n),
          rows.map((r) => r.sum),
          rows.map((r) => r.max),
          rows.map((r) => r.memN),
          rows.map((r) => r.memSum),
        ],
      )
    }
    return { accepted: ins.rows.length, duplicates: samples.length - ins.rows.length }
  })
}

function timeError(ts: Date, now: Date): string | null {
  if (ts.getTime() > now.getTime() + FUTURE_MS) return 'is more than 5 minutes in the future'
  if (ts.getTime() < now.getTime() - PAST_MS) return 'is older than 400 days'
  return null
}

/** POST /api/v1/gpu/samples: each sample validated on its own; the valid ones are kept. */
export async function ingestSamples(orgId: string, raw: unknown[], now = new Date()): Promise<TSamplesAnswer> {
  const pools = await pool().query<{ id: string; name: string }>('SELECT id, name FROM gpu_pools WHERE org_id = $1', [orgId])
  const byName = new Map(pools.rows.map((p) => [p.name, p.id]))
  const rejected: TSamplesAnswer['rejected'] = []
  const valid: TResolvedSample[] = []
  raw.forEach((item, index) => {
    const r = ZSample.safeParse(item, { reportInput: true })
    if (!r.success) return rejected.push({ index, errors: issuesToLines(r.error.issues, 'sample') })
    const errors: string[] = []
    const poolId = byName.get(r.data.pool)
    if (!poolId) errors.push(`pool: no GPU pool named ${JSON.stringify(r.data.pool)}; create it with POST /api/v1/gpu/pools`)
    const te = timeError(r.data.timestamp, now)
    if (te) errors.push(`timestamp: ${te}`)
    if (errors.length) return rejected.push({ index, errors })
    valid.push({ pool_id: poolId!, gpu_index: r.data.gpu_index ?? -1, ts: r.data.timestamp, util: r.data.utilization_pct, mem: r.data.memory_used_mib ?? null })
  })
  return { ...(await storeSamples(orgId, valid)), rejected }
}

/** nvidia-smi CSV lines already parsed (lib/gpu/nvidia-smi.ts), for one pool. */
export async function ingestCsvSamples(
  orgId: string,
  poolName: string,
  parsed: { samples: TParsedSample[]; rejected: { line: number; errors: string[] }[] },
  now = new Date(),
): Promise<TSamplesAnswer> {
  const p = await findPool(orgId, { name: poolName })
  const rejected: TSamplesAnswer['rejected'] = [...parsed.rejected]
  const valid: TResolvedSample[] = []
  for (const s of parsed.samples) {
    const te = timeError(s.timestamp, now)
    if (te) rejected.push({ line: s.line, errors: [`timestamp: ${s.timestamp.toISOString()} ${te}`] })
    else valid.push({ pool_id: p.id, gpu_index: s.gpu_index, ts: s.timestamp, util: s.utilization_pct, mem: s.memory_used_mib })
  }
  return { ...(await storeSamples(orgId, valid)), rejected }
}
