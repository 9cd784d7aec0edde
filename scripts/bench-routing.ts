// npm run bench:routing — the run-time answer of POST /api/v1/decide without
// HTTP: decide() (routing policy from process memory + budget verdict) over
// many published policies, in one process, against real PostgreSQL and Redis
// (database outlay_bench_routing, queue prefix outlay-bench-routing, both
// recreated). Reports calls/s, per-call p50/p99, and the database queries the
// calls made (expected: none after the first load).
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { adminQuery, clearRedisPrefix, fmt, log, percentile, ROOT, run, runMain } from './bench/common'
import { HOUR_MS } from '../lib/domain'

const DB = 'outlay_bench_routing'
const PREFIX = 'outlay-bench-routing'

runMain(async () => {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '200000' }, policies: { type: 'string', default: '200' }, pg: { type: 'string' }, redis: { type: 'string' } },
  })
  const pg = values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432'
  const redis = values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const calls = Number(values.calls)
  const nPolicies = Number(values.policies)
  const logFile = path.join(os.tmpdir(), `bench-routing-${process.pid}.log`)

  log(`database ${DB}: recreate and migrate…`)
  await adminQuery(pg, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await adminQuery(pg, `CREATE DATABASE ${DB}`)
  const env = { ...process.env, DATABASE_URL: `${pg}/${DB}`, REDIS_URL: redis, QUEUE_PREFIX: PREFIX, NEXTAUTH_SECRET: 'bench-routing-secret-0123456789' }
  run('npx', ['prisma', 'migrate', 'deploy'], env, logFile, 'prisma migrate deploy')
  await clearRedisPrefix(redis, PREFIX)
  Object.assign(process.env, env)

  // lib/ reads the environment on first use: import it only now.
  const { createOrgWithAdmin } = await import(path.join(ROOT, 'lib/orgs'))
  const { acceptEvents } = await import(path.join(ROOT, 'lib/ingest/accept'))
  const { processBatch, pendingBatches } = await import(path.join(ROOT, 'lib/ingest/process'))
  const { importEvals } = await import(path.join(ROOT, 'lib/routing/evals'))
  const { createPolicy, publishDraft } = await import(path.join(ROOT, 'lib/routing/policies'))
  const { decide } = await import(path.join(ROOT, 'lib/decide'))
  const { pool, closeDb, asOrg } = await import(path.join(ROOT, 'lib/db'))
  const { closeQueues } = await import(path.join(ROOT, 'lib/queues'))

  const orgId: string = (await createOrgWithAdmin({ org_name: 'Bench Routing', email: 'bench-routing@example.com', password: 'password-123' })).org.id
  // everything below is the bench organization's (row-level security: lib/db.ts)
  await asOrg(orgId, async () => {
    const steps = Array.from({ length: nPolicies }, (_, i) => ({ workflow_id: `wf-${i % 20}`, step: `step-${i}` }))
    const models = [
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-3-5-haiku' },
    ]
    log(`seeding ${nPolicies} steps (traffic, evals) and publishing a policy per step…`)
    const now = new Date()
    const events = steps.flatMap((s, i) =>
      models
        .slice(0, 2)
        .map((m, j) => ({ id: `t-${i}-${j}`, timestamp: new Date(now.getTime() - HOUR_MS).toISOString(), ...s, ...m, tokens_in: 1000, tokens_out: 200 })),
    )
    for (let i = 0; i < events.length; i += 1000) await acceptEvents({ orgId, now, rateLimit: 1e9 }, { events: events.slice(i, i + 1000) })
    for (const id of await pendingBatches(0)) await processBatch(id)
    for (let i = 0; i < steps.length; i += 30) {
      const evals = steps
        .slice(i, i + 30)
        .flatMap((s) => models.map((m, j) => ({ eval_set: 'bench', ...s, ...m, scores: { grounding: [0.97, 0.9, 0.95][j] }, sample_count: 50 })))
      await importEvals(orgId, { evals })
    }
    for (const [i, s] of steps.entries()) {
      const { id } = await createPolicy(
        orgId,
        {
          ...s,
          environment: null,
          account_id: null,
          quality_bar: [{ metric: 'grounding', min: 0.92 }],
          candidates: models,
          selection: 'cheapest_clearing',
          eval_set: null,
          cascade: { models: [models[2], models[0]], confidence_threshold: 0.7 },
          fallback: models[0],
          canary: null,
        },
        'bench',
      )
      await publishDraft(orgId, id, 'bench', 'bench')
      if (i % 10 === 0) {
        // every tenth policy: a canary version on 20% of runs
        const { editDraft } = await import(path.join(ROOT, 'lib/routing/policies'))
        await editDraft(
          orgId,
          id,
          {
            quality_bar: [{ metric: 'grounding', min: 0.9 }],
            cascade: { models: [models[1], models[2], models[0]], confidence_threshold: 0.7 },
            canary: { share_pct: 20, stable_by: 'run_id' },
          },
          'bench',
        )
        await publishDraft(orgId, id, 'bench canary', 'bench')
      }
    }

    await decide(orgId, { workflow_id: steps[0].workflow_id, step: steps[0].step }) // first load
    const p = pool()
    const [query, connect] = [p.query, p.connect]
    let dbCalls = 0
    p.query = (...args: unknown[]) => (dbCalls++, (query as (...a: unknown[]) => unknown).apply(p, args))
    p.connect = (...args: unknown[]) => (dbCalls++, (connect as (...a: unknown[]) => unknown).apply(p, args))

    log(`${fmt(calls)} decide() calls over ${nPolicies} policies…`)
    const lat: number[] = new Array(calls)
    const models2 = new Map<string, number>()
    const t0 = performance.now()
    for (let i = 0; i < calls; i++) {
      const s = steps[i % steps.length]
      const a = performance.now()
      const r = await decide(orgId, { ...s, run_id: `run-${i}`, confidence: i % 7 === 0 ? 0.3 : 0.9, attempt: i % 50 === 0 ? 2 : 1 })
      lat[i] = performance.now() - a
      models2.set(r.answer.model ?? 'none', (models2.get(r.answer.model ?? 'none') ?? 0) + 1)
    }
    const wall = (performance.now() - t0) / 1000
    p.query = query
    p.connect = connect
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')
    console.log(
      JSON.stringify(
        {
          calls,
          policies: nPolicies,
          seconds: Number(wall.toFixed(2)),
          calls_per_second: Math.round(calls / wall),
          p50_us: Math.round(percentile(lat, 50) * 1000),
          p99_us: Math.round(percentile(lat, 99) * 1000),
          max_ms: Number(lat.reduce((a, b) => (b > a ? b : a), 0).toFixed(2)),
          database_calls_during_run: dbCalls,
          answers: Object.fromEntries(models2),
          load_average: load,
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
