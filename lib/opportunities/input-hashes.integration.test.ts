import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ownerPool, useTestServices } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { CALLS_FIRST_SQL, FIRSTS_SQL } from '@/lib/opportunities/repeats-db'

// The ingest transaction's reads of input_hashes (repeats and re-runs) probe the primary key once per input, whatever
// the planner knows: on a table never analyzed, as every new database's and a fast-growing one's, a plain join read
// every input of the organization in every transaction.

let orgId = ''
/** md5(i::text), as the rows below are made */
const md5 = (i: number) => createHash('md5').update(String(i)).digest('hex')
const INPUTS = 3_000

type TPlan = { 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number; Plans?: TPlan[] }
/** Rows the plan read from input_hashes (every node on it: rows × loops). */
const rowsRead = (p: TPlan): number =>
  (p['Relation Name'] === 'input_hashes' ? p['Actual Rows'] * p['Actual Loops'] : 0) + (p.Plans ?? []).reduce((n, c) => n + rowsRead(c), 0)

/** Rows of input_hashes the statement reads, from its EXPLAIN ANALYZE. */
async function rowsReadBy(sql: string, params: unknown[]): Promise<number> {
  const r = await ownerPool().query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)
  return rowsRead(r.rows[0]['QUERY PLAN'][0].Plan as TPlan)
}

beforeAll(async () => {
  await useTestServices('input_hashes')
  orgId = (await createOrgWithAdmin({ org_name: 'Inputs Co', email: 'inputs@example.com', password: 'password-123' })).org.id
  const db = ownerPool()
  await db.query('ALTER TABLE input_hashes SET (autovacuum_enabled = false)') // never analyzed, as a new database's
  await db.query(
    `INSERT INTO input_hashes (org_id, workflow_id, step, input_hash, first_at, first_event_id)
     SELECT $1, 'support', 'answer', md5(i::text), now(), 'ev-' || i FROM generate_series(1, $2::int) i`,
    [orgId, INPUTS],
  )
})

afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('input_hashes lookups', () => {
  // a group commit's worth of inputs (bench:gateway stored ~60 calls a transaction)
  const probe = Array.from({ length: 60 }, (_, n) => 1 + n * 50).map((i) => ({ hash: md5(i), event: `ev-${i}` }))

  it('reads one row per input looked up, not the organization’s inputs', async () => {
    expect(await rowsReadBy(FIRSTS_SQL, [orgId, probe.map(() => 'support'), probe.map(() => 'answer'), probe.map((p) => p.hash)])).toBe(probe.length)
    const calls = [orgId, [...probe.map((p) => p.event)], probe.map(() => 'support'), probe.map(() => 'answer'), probe.map((p) => p.hash)]
    expect(await rowsReadBy(`${CALLS_FIRST_SQL} WHERE h.first_event_id = k.event_id`, calls)).toBe(probe.length)
  })

  it('answers what the join answered', async () => {
    const r = await ownerPool().query(FIRSTS_SQL, [orgId, ['support', 'support', 'support'], ['answer', 'other', 'answer'], [md5(7), md5(8), 'nope']])
    expect(r.rows.map((x) => [x.input_hash, x.first_event_id])).toEqual([[md5(7), 'ev-7']])
    const calls = (ids: string[]) => [orgId, ids, ids.map(() => 'support'), ids.map(() => 'answer'), [7, 42, 99].map((i) => md5(i))]
    const firstOnes = await ownerPool().query(`${CALLS_FIRST_SQL} WHERE h.first_event_id = k.event_id`, calls(['ev-7', 'later-42', 'ev-99']))
    expect(firstOnes.rows.map((x) => x.event_id)).toEqual(['ev-7', 'ev-99'])
    const repeats = await ownerPool().query(`${CALLS_FIRST_SQL} WHERE h.first_event_id <> k.event_id`, calls(['ev-7', 'later-42', 'ev-99']))
    expect(repeats.rows.map((x) => x.event_id)).toEqual(['later-42'])
  })
})
