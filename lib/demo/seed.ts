import 'server-only'
import { asOrg, prisma } from '@/lib/db'
import { createOrgWithAdmin } from '@/lib/orgs'
import { createBudget, updateBudget, type TBudgetInput } from '@/lib/budgets'
import { createApiKey } from '@/lib/auth/api-keys'
import { demoOutcomes, generateDemoEvents, LEAD_CASCADE_DAYS_AGO, type TDemoRunOutcome } from '@/lib/demo/generate'
import { DAILY_ROLLUPS, WEEKLY_ROLLUPS } from '@/lib/rollups/tables'
import type { TIngestAnswer } from '@/lib/ingest/schema'
import { createPool, ingestSamples, patchPool } from '@/lib/gpu'
import { demoFleetPools, generateDemoFleet, type TDemoOutcome } from '@/lib/gpu/demo'
import { MAX_SAMPLES } from '@/lib/gpu/schema'
import { addMember } from '@/lib/members'
import type { Role } from '@/generated/prisma/enums'
import { demoUnpricedEvents, seedDemoBills } from '@/lib/bills/demo'
import { createPolicy, publishDraft } from '@/lib/routing/policies'
import { importEvals } from '@/lib/routing/evals'
import { ZEvalsBody, ZPolicyCreate } from '@/lib/routing/schema'
import { seedDemoRevenue, THIN_MARGIN_ACCOUNT } from '@/lib/accounts/demo'

// The demo organization's data goes through the real pipeline: the ingest
// API, the queue and the workers, never straight into the rollups.

export const DEMO = { orgName: 'Demo Co', slug: 'demo-co', email: 'demo@outlay.dev', password: 'outlay-demo-2026' } as const

/** One person per other role, with the demo password, so each persona can be tried at once (demo@ is the admin). */
export const DEMO_PEOPLE: readonly { email: string; name: string; role: Role }[] = [
  { email: 'finance@outlay.dev', name: 'Fran (finance)', role: 'finance' },
  { email: 'engineer@outlay.dev', name: 'Eli (engineer)', role: 'engineer' },
  { email: 'success@outlay.dev', name: 'Sam (customer success)', role: 'customer_success' },
  { email: 'viewer@outlay.dev', name: 'Vic (viewer)', role: 'viewer' },
]

async function ensureDemoPeople(orgId: string): Promise<void> {
  // verified accounts; an existing one keeps its password and gets its role back
  for (const p of DEMO_PEOPLE) await asOrg(orgId, () => addMember(orgId, { email: p.email, name: p.name, role: p.role, password: DEMO.password }))
}

export type TSeedOptions = { baseUrl: string; days: number; reset: boolean; now?: Date; batchSize?: number; concurrency?: number; log?: (line: string) => void }
export type TSeedResult = { orgId: string; slug: string; sent: number; accepted: number; skipped: boolean }

async function ensureDemoOrg(reset: boolean): Promise<{ orgId: string; existingEvents: number }> {
  let org = await prisma().organization.findUnique({ where: { slug: DEMO.slug } })
  if (org && reset) {
    const id = org.id
    await asOrg(id, () =>
      prisma().$transaction([
        prisma().$executeRaw`DELETE FROM inference_events WHERE org_id = ${id}::uuid`,
        prisma().$executeRaw`DELETE FROM inference_event_ids WHERE org_id = ${id}::uuid`,
        prisma().$executeRaw`DELETE FROM rollups_hourly WHERE org_id = ${id}::uuid`,
        ...[...DAILY_ROLLUPS, ...WEEKLY_ROLLUPS].map((t) => prisma().$executeRawUnsafe(`DELETE FROM ${t.table} WHERE org_id = $1::uuid`, id)),
        ...[
          'input_hashes',
          'rollups_hourly_repeats',
          'rollups_daily_repeats',
          'rollups_hourly_reruns',
          'rollups_daily_reruns',
          'rollups_hourly_outputs',
          'rollups_daily_outputs',
          'rollups_weekly_outputs',
          'prompt_version_runs',
          'rollups_hourly_prompts',
          'rollups_daily_prompts',
          'rollups_hourly_users',
          'rollups_daily_users',
          'rollups_weekly_users',
        ].map((t) => prisma().$executeRawUnsafe(`DELETE FROM ${t} WHERE org_id = $1::uuid`, id)),
        prisma().$executeRaw`DELETE FROM ingest_batches WHERE org_id = ${id}::uuid`,
        ...['gpu_samples', 'gpu_util_hourly', 'gpu_pool_prices'].map((t) => prisma().$executeRawUnsafe(`DELETE FROM ${t} WHERE org_id = $1::uuid`, id)),
        prisma().organization.delete({ where: { id: id } }),
        prisma().user.deleteMany({ where: { email: DEMO.email } }),
      ]),
    )
    org = null
  }
  if (!org) {
    const created = await createOrgWithAdmin({ org_name: DEMO.orgName, email: DEMO.email, password: DEMO.password, name: 'Dana (demo)' })
    return { orgId: created.org.id, existingEvents: 0 }
  }
  const orgId = org.id
  const existingEvents = await asOrg(orgId, () => prisma().inferenceEvent.count({ where: { orgId } }))
  return { orgId, existingEvents }
}

async function post(url: string, key: string, events: unknown[], kind: 'events' | 'outcomes' = 'events'): Promise<TIngestAnswer> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/api/v1/${kind}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [kind]: events }),
    })
    if (res.status === 202) return (await res.json()) as TIngestAnswer
    if ((res.status === 429 || res.status >= 500) && attempt < 20) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000))
      continue
    }
    throw new Error(`ingest answered ${res.status}: ${await res.text()}`)
  }
}

export async function seedDemo(opts: TSeedOptions): Promise<TSeedResult> {
  const log = opts.log ?? ((l: string) => console.log(l))
  const { orgId, existingEvents } = await ensureDemoOrg(opts.reset)
  await ensureDemoPeople(orgId)
  // Everything below is this organization's (row-level security).
  return asOrg(orgId, async () => {
    if (existingEvents > 0) {
      log(`Demo data already present (${existingEvents.toLocaleString('en-US')} events); run with --reset to regenerate it.`)
      return { orgId, slug: DEMO.slug, sent: 0, accepted: 0, skipped: true }
    }
    const { key, api_key } = await createApiKey(orgId, { name: 'demo seeder', scopes: ['ingest', 'read'] }, { label: 'demo seed' })
    const now = opts.now ?? new Date()
    const batchSize = opts.batchSize ?? 500
    const batches: unknown[][] = []
    const runOutcomes: TDemoRunOutcome[] = []
    for (const day of generateDemoEvents({ now, days: opts.days })) {
      for (let i = 0; i < day.length; i += batchSize) batches.push(day.slice(i, i + batchSize))
      runOutcomes.push(...demoOutcomes(day, now))
    }
    // A fine-tuned model with no price in Outlay, which last month's OpenAI bill charges (lib/bills/demo.ts).
    const unpriced = demoUnpricedEvents(now, opts.days)
    for (let i = 0; i < unpriced.length; i += batchSize) batches.push(unpriced.slice(i, i + batchSize))
    // The self-hosted fleet: pools first (so its calls are priced from them at ingest), then its samples and calls.
    const fleet = await seedDemoFleet(orgId, now, opts.days, log)
    for (let i = 0; i < fleet.events.length; i += batchSize) batches.push(fleet.events.slice(i, i + batchSize))
    const total = batches.reduce((s, b) => s + b.length, 0)
    log(`Sending ${total.toLocaleString('en-US')} events (${opts.days} days) through ${opts.baseUrl}/api/v1/events…`)
    const started = Date.now()
    let sent = 0
    let accepted = 0
    let next = 0
    let lastPct = -1
    const worker = async () => {
      while (next < batches.length) {
        const b = batches[next++]
        const a = await post(opts.baseUrl, key, b)
        if (a.rejected.length) throw new Error(`demo events rejected: ${JSON.stringify(a.rejected.slice(0, 3))}`)
        sent += b.length
        accepted += a.accepted
        const pct = Math.floor((sent / total) * 100)
        if (pct >= lastPct + 10 || sent === total) {
          lastPct = pct
          log(`  sent ${pct}% (${sent.toLocaleString('en-US')} events, ${Math.round(sent / ((Date.now() - started) / 1000)).toLocaleString('en-US')}/s)`)
        }
      }
    }
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker))
    await postOutcomes(opts.baseUrl, key, [...runOutcomes, ...fleet.outcomes], batchSize)

    // Wait until the workers have rolled every accepted event up.
    let shown = -1
    for (;;) {
      const res = await fetch(`${opts.baseUrl}/api/v1/metrics?from=2000-01-01&granularity=none`, { headers: { authorization: `Bearer ${key}` } })
      const rows = ((await res.json()) as { rows: { events: number }[] }).rows
      const counted = rows.reduce((s, r) => s + r.events, 0)
      const pct = Math.floor((counted / accepted) * 100)
      if (pct !== shown && (pct >= shown + 10 || counted >= accepted)) {
        shown = pct
        log(`  processed ${pct}% (${counted.toLocaleString('en-US')} of ${accepted.toLocaleString('en-US')} events in the rollups)`)
      }
      if (counted >= accepted) break
      await new Promise((r) => setTimeout(r, 500))
    }
    await prisma().apiKey.update({ where: { id: api_key.id }, data: { revokedAt: new Date() } })
    await seedDemoBudgets(orgId, now)
    await seedDemoRouting(orgId, now)
    const bills = await seedDemoBills(orgId, now)
    if (bills.length) log(`Bills of last month for reconciliation: ${bills.join(', ')}.`)
    const revenue = await seedDemoRevenue(orgId, now)
    if (revenue) log(`Revenue per account and month: ${revenue} rows (${THIN_MARGIN_ACCOUNT} has a thin margin).`)
    log(`Seeded ${accepted.toLocaleString('en-US')} events in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
    return { orgId, slug: DEMO.slug, sent, accepted, skipped: false }
  })
}

/**
 * Three budgets that tell the demo's story, sized from the data just seeded:
 * the month within budget, support-agent's day on course to pass its budget,
 * and globex's cost per run over its target (its integration retrieves twice).
 */
async function seedDemoBudgets(orgId: string, now: Date): Promise<void> {
  const sized = async (b: TBudgetInput, factor: number, of: 'projected' | 'actual') => {
    const created = await createBudget(orgId, b, now)
    const basis = Number((of === 'projected' ? created.status.projected_usd : created.status.actual_usd) ?? 0)
    if (basis <= 0) return
    const amount = basis * factor
    await updateBudget(orgId, created.id, { amount_usd: amount >= 1 ? amount.toFixed(2) : amount.toPrecision(2) }, now)
  }
  const base = {
    environment: null,
    workflow_id: null,
    account_id: null,
    feature: null,
    traffic_sources: ['production' as const],
    rolling_days: null,
    thresholds: [50, 80, 100],
    hard_cutoff: false,
    cutoff_action: 'throttle' as const,
    throttle_per_minute: 60,
    channel_ids: [] as string[],
  }
  await sized(
    { ...base, name: 'All production, monthly', period: 'month', metric: 'spend', amount_usd: '1', owner: 'finance@demo.co', environment: 'production' },
    1.25,
    'projected',
  )
  await sized(
    { ...base, name: 'support-agent, daily', period: 'day', metric: 'spend', amount_usd: '1', owner: 'support-ai', workflow_id: 'support-agent' },
    0.9,
    'projected',
  )
  await sized(
    {
      ...base,
      name: 'globex cost per run',
      period: 'rolling',
      rolling_days: 7,
      metric: 'cost_per_run',
      amount_usd: '1',
      owner: 'customer-success',
      account_id: 'globex',
    },
    0.8,
    'actual',
  )
}

/**
 * email-drafter's draft step: a routing policy (a draft, never published) with
 * its quality bar, and last week's eval results — production drafts on
 * gpt-4.1, and gpt-4.1-mini clears the bar for about a fifth of the price
 * while gpt-4o-mini does not (the Opportunities page's cheaper model).
 */
export const DEMO_ROUTING = {
  workflow_id: 'email-drafter',
  step: 'draft',
  quality_bar: [
    { metric: 'tone', min: 0.85 },
    { metric: 'accuracy', min: 0.9 },
  ],
  evals: [
    { provider: 'openai', model: 'gpt-4.1', scores: { tone: 0.94, accuracy: 0.95 } },
    { provider: 'openai', model: 'gpt-4.1-mini', scores: { tone: 0.9, accuracy: 0.92 } },
    { provider: 'openai', model: 'gpt-4o-mini', scores: { tone: 0.83, accuracy: 0.86 } },
  ],
} as const

async function seedDemoRouting(orgId: string, now: Date): Promise<void> {
  const { workflow_id, step, quality_bar } = DEMO_ROUTING
  await createPolicy(orgId, ZPolicyCreate.parse({ workflow_id, step, quality_bar, candidates: [{ provider: 'openai', model: 'gpt-4.1' }] }), 'demo@outlay.dev')
  // lead-qualifier/classify: the cascade's top model moved from Opus to Sonnet, published LEAD_CASCADE_DAYS_AGO days
  // ago (the events change then too): the quarterly review shows the step acted on and its saving measured since
  const haiku = { provider: 'anthropic', model: 'claude-haiku-4-5' }
  const sonnet = { provider: 'anthropic', model: 'claude-sonnet-4-5' }
  const lead = await createPolicy(
    orgId,
    ZPolicyCreate.parse({
      workflow_id: 'lead-qualifier',
      step: 'classify',
      candidates: [haiku, sonnet],
      cascade: { models: [haiku, sonnet], confidence_threshold: 0.7 },
    }),
    'demo@outlay.dev',
  )
  await publishDraft(
    orgId,
    lead.id,
    'Escalate low-confidence lead classifications to Sonnet instead of Opus',
    'demo@outlay.dev',
    new Date(now.getTime() - LEAD_CASCADE_DAYS_AGO * 24 * 3_600_000),
  )
  const runAt = new Date(now.getTime() - 7 * 24 * 3_600_000).toISOString()
  await importEvals(
    orgId,
    ZEvalsBody.parse({
      evals: DEMO_ROUTING.evals.map((e) => ({ eval_set: 'email-nightly', workflow_id, step, ...e, sample_count: 400, run_at: runAt })),
    }),
    { now },
  )
}

/** The self-hosted fleet (lib/gpu/demo.ts): pools and their growth, utilization samples; its calls and outcomes go through the API. */
async function seedDemoFleet(orgId: string, now: Date, days: number, log: (l: string) => void) {
  for (const p of demoFleetPools(now, days)) {
    await createPool(orgId, p.create, now, { reprice: false })
    for (const c of p.changes) await patchPool(orgId, { name: p.create.name }, c, now, { reprice: false })
  }
  const data = generateDemoFleet(now, days)
  for (let i = 0; i < data.samples.length; i += MAX_SAMPLES) {
    const a = await ingestSamples(orgId, data.samples.slice(i, i + MAX_SAMPLES), now)
    if (a.rejected.length) throw new Error(`demo GPU samples rejected: ${JSON.stringify(a.rejected.slice(0, 3))}`)
  }
  log(
    `GPU fleet: 4 pools, ${data.samples.length.toLocaleString('en-US')} utilization samples, ${data.events.length.toLocaleString('en-US')} self-hosted calls.`,
  )
  return data
}

async function postOutcomes(url: string, key: string, outcomes: (TDemoOutcome | TDemoRunOutcome)[], batchSize: number): Promise<void> {
  for (let i = 0; i < outcomes.length; i += batchSize) {
    const a = await post(url, key, outcomes.slice(i, i + batchSize), 'outcomes')
    if (a.rejected.length) throw new Error(`demo outcomes rejected: ${JSON.stringify(a.rejected.slice(0, 3))}`)
  }
}
