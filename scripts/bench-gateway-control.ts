// npm run bench:gateway-control — the gateway's control seam (lib/gateway/control.ts planCall,
// then settle) without HTTP, one process, against real PostgreSQL and Redis (database
// outlay_bench_gwctl, queue prefix outlay-bench-gwctl, both recreated). Published policies on
// many steps (every tenth with a canary), budgets as tenants have them. Four call mixes, each
// measured alone: policy only (process memory), a hard-cutoff budget's reservation and settle
// (Redis), a run cap on top, and the response cache (a read per call). Reports calls/s,
// per-call p50/p99 (sequential calls: the seam's own latency) and the database queries the calls
// made (expected: none).
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { adminQuery, clearRedisPrefix, fmt, log, percentile, ROOT, run, runMain } from './bench/common'

const DB = 'outlay_bench_gwctl'
const PREFIX = 'outlay-bench-gwctl'

runMain(async () => {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '50000' }, policies: { type: 'string', default: '100' }, pg: { type: 'string' }, redis: { type: 'string' } },
  })
  const pg = values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432'
  const redis = values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const calls = Number(values.calls)
  const nPolicies = Number(values.policies)
  const logFile = path.join(os.tmpdir(), `bench-gwctl-${process.pid}.log`)

  log(`database ${DB}: recreate and migrate…`)
  await adminQuery(pg, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await adminQuery(pg, `CREATE DATABASE ${DB}`)
  const env = { ...process.env, DATABASE_URL: `${pg}/${DB}`, REDIS_URL: redis, QUEUE_PREFIX: PREFIX, NEXTAUTH_SECRET: 'bench-gwctl-secret-0123456789' }
  run('npx', ['prisma', 'migrate', 'deploy'], env, logFile, 'prisma migrate deploy')
  await clearRedisPrefix(redis, PREFIX)
  Object.assign(process.env, env)

  const { createOrgWithAdmin } = await import(path.join(ROOT, 'lib/orgs'))
  const { acceptEvents } = await import(path.join(ROOT, 'lib/ingest/accept'))
  const { processBatch, pendingBatches } = await import(path.join(ROOT, 'lib/ingest/process'))
  const { createPolicy, publishDraft, editDraft } = await import(path.join(ROOT, 'lib/routing/policies'))
  const { ZPolicyCreate } = await import(path.join(ROOT, 'lib/routing/schema'))
  const { createBudget } = await import(path.join(ROOT, 'lib/budgets'))
  const { evaluateOrgAlerts } = await import(path.join(ROOT, 'lib/alerts/evaluate'))
  const { planCall, storeCached } = await import(path.join(ROOT, 'lib/gateway/control'))
  const { pool, closeDb, asOrg } = await import(path.join(ROOT, 'lib/db'))
  const { closeQueues } = await import(path.join(ROOT, 'lib/queues'))

  const orgId: string = (await createOrgWithAdmin({ org_name: 'Bench Gateway', email: 'bench-gwctl@example.com', password: 'password-123' })).org.id
  await asOrg(orgId, async () => {
    const steps = Array.from({ length: nPolicies }, (_, i) => ({ workflow_id: `wf-${i % 20}`, step: `step-${i}` }))
    const models = [
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-3-5-haiku' },
    ]
    log(`seeding ${nPolicies} steps and publishing a policy per step (fallbacks, output cap)…`)
    const now = new Date()
    const events = steps.flatMap((s, i) =>
      models
        .slice(0, 2)
        .map((m, j) => ({ id: `t-${i}-${j}`, timestamp: new Date(now.getTime() - 3600_000).toISOString(), ...s, ...m, tokens_in: 1000, tokens_out: 200 })),
    )
    for (let i = 0; i < events.length; i += 1000) await acceptEvents({ orgId, now, rateLimit: 1e9 }, { events: events.slice(i, i + 1000) })
    for (const id of await pendingBatches(0)) await processBatch(id)
    for (const [i, s] of steps.entries()) {
      const { id } = await createPolicy(
        orgId,
        ZPolicyCreate.parse({
          ...s,
          candidates: models,
          fallback: models[0],
          fallbacks: [models[2]],
          max_tokens_cap: 512,
          cache_ttl_s: i % 4 === 0 ? 300 : null,
        }),
        'bench',
      )
      await publishDraft(orgId, id, 'bench', 'bench')
      if (i % 10 === 0) {
        await editDraft(orgId, id, { candidates: models.slice(0, 2), canary: { share_pct: 20, stable_by: 'run_id' } }, 'bench')
        await publishDraft(orgId, id, 'bench canary', 'bench')
      }
    }
    // Budgets: a warning on everything, hard cutoffs (deny) per workflow with room, a brown-out, and a run cap on half the workflows.
    const base = {
      environment: null,
      account_id: null,
      feature: null,
      traffic_sources: ['production'],
      period: 'day',
      rolling_days: null,
      metric: 'spend',
      thresholds: [50, 80, 100],
      owner: null,
    }
    await createBudget(orgId, {
      ...base,
      name: 'all',
      workflow_id: null,
      amount_usd: '1000000',
      hard_cutoff: false,
      cutoff_action: 'throttle',
      throttle_per_minute: 60,
    })
    for (let w = 0; w < 20; w++) {
      await createBudget(orgId, {
        ...base,
        name: `wf-${w} daily`,
        workflow_id: `wf-${w}`,
        amount_usd: '100000',
        hard_cutoff: true,
        cutoff_action: 'deny',
        throttle_per_minute: 60,
        brownout_pct: 90,
        ...(w % 2 === 0 ? { run_cap_usd: '1000' } : {}),
      })
    }
    await evaluateOrgAlerts(orgId, new Date(), { kinds: ['budget'] })

    const attribution = (s: { workflow_id: string; step: string }, runId: string | null) => ({
      workflowId: s.workflow_id,
      step: s.step,
      runId,
      accountId: null,
      userId: null,
      feature: null,
      environment: null,
      trafficSource: null,
      scenarioId: null,
      owner: null,
      promptVersion: null,
    })
    const headers = new Headers({ 'content-length': '4000' })
    const cacheHeaders = new Headers({ 'content-length': '4000', 'x-outlay-cache': 'on', 'x-outlay-cache-ttl': '600' })
    type TMix = { name: string; call: (i: number) => Record<string, unknown> }
    const noBudget = { workflow_id: 'unbudgeted', step: 'x' }
    const mixes: TMix[] = [
      // a step with a policy, no ledgered budget covering it (the 'all' budget has no cutoff): memory only
      {
        name: 'policy, no ledgered budget',
        call: (i) => ({ ...noBudget, attribution: { ...attribution(steps[i % steps.length], `run-${i}`), workflowId: 'unbudgeted' } }),
      },
      { name: 'policy + hard-cutoff reservation and settle', call: (i) => ({ attribution: attribution(steps[(i % 10) * 2 + 1], null) }) },
      { name: 'policy + reservation + run cap', call: (i) => ({ attribution: attribution(steps[(i % 10) * 2], `run-${i % 500}`) }) },
      {
        name: 'response cache on (x-outlay-cache), half hits',
        call: (i) => ({
          headers: cacheHeaders,
          inputHash: `h-${i % 2 === 0 ? 'hot' : i}`,
          attribution: { ...attribution(steps[i % steps.length], null), workflowId: 'unbudgeted' },
        }),
      },
    ]
    // one hot cached answer for the cache mix
    const seed = await planCall({
      orgId,
      protocol: 'openai-chat',
      requestedModel: 'gpt-4o-mini',
      maxTokens: 256,
      stream: false,
      inputHash: 'h-hot',
      headers: cacheHeaders,
      attribution: { ...attribution(steps[0], null), workflowId: 'unbudgeted' },
    })
    if (seed.kind === 'forward') await storeCached(orgId, 'h-hot', 600, { choices: [{ message: { content: 'cached' } }] }, 1000n)

    const p = pool()
    const [query, connect] = [p.query, p.connect]
    let dbCalls = 0
    p.query = (...args: unknown[]) => (dbCalls++, (query as (...a: unknown[]) => unknown).apply(p, args))
    p.connect = (...args: unknown[]) => (dbCalls++, (connect as (...a: unknown[]) => unknown).apply(p, args))
    const results: Record<string, unknown>[] = []
    for (const mix of mixes) {
      log(`${fmt(calls)} planCall calls: ${mix.name}…`)
      const lat: number[] = new Array(calls)
      const kinds = new Map<string, number>()
      const db0 = dbCalls
      const t0 = performance.now()
      for (let i = 0; i < calls; i++) {
        const a = performance.now()
        const plan = await planCall({
          orgId,
          protocol: 'openai-chat',
          requestedModel: 'gpt-4o-mini',
          maxTokens: 256,
          stream: false,
          inputHash: `h-${i}`,
          headers,
          ...mix.call(i),
        })
        if (plan.kind === 'forward' && plan.settle) await plan.settle(500n)
        lat[i] = performance.now() - a
        kinds.set(plan.kind, (kinds.get(plan.kind) ?? 0) + 1)
      }
      const wall = (performance.now() - t0) / 1000
      results.push({
        mix: mix.name,
        calls,
        calls_per_second: Math.round(calls / wall),
        p50_us: Math.round(percentile(lat, 50) * 1000),
        p99_us: Math.round(percentile(lat, 99) * 1000),
        max_ms: Number(lat.reduce((x, y) => (y > x ? y : x), 0).toFixed(2)),
        database_calls: dbCalls - db0,
        plans: Object.fromEntries(kinds),
      })
    }
    p.query = query
    p.connect = connect
    console.log(
      JSON.stringify(
        {
          policies: nPolicies,
          results,
          load_average: os
            .loadavg()
            .map((x) => x.toFixed(2))
            .join(', '),
          cpus: os.cpus().length,
        },
        null,
        2,
      ),
    )
  })
  await closeQueues()
  await closeDb()
  await adminQuery(pg, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await clearRedisPrefix(redis, PREFIX)
})
