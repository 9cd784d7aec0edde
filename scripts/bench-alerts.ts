// npm run bench:alerts — how long one organization's drift evaluation reads
// take on a large dataset (issue 6: detectors read the rollups, never the raw
// events, every 30 s for every organization).
//
// Runs the four drift detectors' reads and detection (lib/alerts/evaluate.ts
// alertCandidates, read-only: nothing is recorded or sent) for the organization
// with data in a database, by default the bench:dashboard dataset
// (outlay_bench_dash: 10M events over 90 days; load it with
// `npm run bench:dashboard -- --load-only`), at the hour after its last data.
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Client } from 'pg'
import { fmt, log, percentile } from './bench/common'

const HELP = `Usage: npm run bench:alerts -- [options]

  --db NAME     database holding the organization (default outlay_bench_dash)
  --runs N      timed evaluations (default 20, after 2 untimed)
  --pg URL      PostgreSQL server URL without database (default $PG_SERVER_URL or postgresql://postgres@127.0.0.1:5432)
`

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'outlay_bench_dash' },
      runs: { type: 'string', default: '20' },
      pg: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) return void process.stdout.write(HELP)
  const url = `${values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432'}/${values.db}`
  const c = new Client({ connectionString: url })
  await c.connect()
  const org = (
    await c.query<{ id: string }>(`SELECT o.id::text FROM organizations o WHERE EXISTS (SELECT 1 FROM rollups_hourly r WHERE r.org_id = o.id) LIMIT 1`)
  ).rows[0]
  if (!org) throw new Error(`no organization with rollups in ${values.db}`)
  const last = (await c.query<{ last: Date; rows: string }>(`SELECT max(hour) AS last, count(*)::text AS rows FROM rollups_hourly WHERE org_id = $1`, [org.id]))
    .rows[0]
  const indexed = (await c.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'rollups_hourly_unpriced_idx'`)).rowCount === 1
  await c.end()
  Object.assign(process.env, { DATABASE_URL: url, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? 'bench-alerts-secret-0123456789' })
  const { alertCandidates, HOURLY_KINDS } = await import('../lib/alerts/evaluate')
  const { closeDb } = await import('../lib/db')
  const now = new Date(last.last.getTime() + 90 * 60_000) // the last data hour is complete
  log(
    `organization ${org.id}: ${fmt(Number(last.rows))} rollup rows, evaluating at ${now.toISOString()}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  )
  const runs = Number(values.runs)
  const groups = [
    { name: 'hourly detectors (cost per outcome, tokens per call, spend anomaly; once an hour)', kinds: HOURLY_KINDS },
    {
      name: `unpriced models (every evaluation, 30 s)${indexed ? '' : ' WITHOUT rollups_hourly_unpriced_idx (this database predates its migration)'}`,
      kinds: ['unpriced_model' as const],
    },
  ]
  const lines: string[] = []
  for (const g of groups) {
    const times: number[] = []
    let found = 0
    for (let i = 0; i < runs + 2; i++) {
      const t = performance.now()
      found = (await alertCandidates(org.id, now, { kinds: g.kinds })).length
      if (i >= 2) times.push(performance.now() - t)
    }
    lines.push(
      `${g.name}: p50 ${fmt(percentile(times, 50), 1)} ms, p95 ${fmt(percentile(times, 95), 1)} ms, max ${fmt(Math.max(...times), 1)} ms over ${runs} runs, ${found} findings`,
    )
  }
  await closeDb()
  console.log(
    `one organization, ${fmt(Number(last.rows))} rollup rows; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n${lines.join('\n')}`,
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
