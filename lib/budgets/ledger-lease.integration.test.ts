import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { closeQueues, producerConnection } from '@/lib/queues'
import {
  flushLeases,
  LEASE_CHUNK,
  leaseProcessForTests,
  ledgerKey,
  ledgerUsage,
  reserve,
  reserveLeased,
  windowKey,
  type TLedgerBudget,
  type TLeases,
} from '@/lib/budgets/ledger'

// The gateway's budget ledger on leases, against real Redis: each process
// reserves calls on room it leased from the ledger, so a call asks Redis only
// when its process's lease runs out; the other processes count that lease as
// used. Several "processes" here are separate lease states in one test
// process (their own identity in the ledger), run concurrently.

beforeAll(async () => {
  await useTestServices('ledger_lease')
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const budget = (over: Partial<TLedgerBudget> = {}): TLedgerBudget => ({
  id: randomUUID(),
  name: 'lease test',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  period: 'day',
  rolling_days: null,
  amount_micros: '1000000',
  warn_pct: null,
  hard_cutoff: true,
  cutoff_action: 'deny',
  throttle_per_minute: 60,
  brownout_pct: null,
  run_cap_micros: null,
  run_cap_p95_multiple: null,
  ...over,
})
const usage = (b: TLedgerBudget) => ledgerUsage(b.id, b, new Date())
const ok = <T extends { ok: boolean }>(r: T) => {
  expect(r.ok).toBe(true)
  return r as Extract<T, { ok: true }>
}

describe('budget ledger leases', () => {
  it('reserves calls on one lease with a single round trip; settled spend reaches the ledger at the flush; an idle lease is given back', async () => {
    const p = leaseProcessForTests()
    const b = budget()
    const first = ok(await reserveLeased([b], 1000n, new Date(), p))
    expect(first.used).toEqual([0n])
    // the lease: the call and a margin of LEASE_CHUNK calls, counted as held by everyone else
    const leased = 1000n * BigInt(1 + LEASE_CHUNK)
    expect(await usage(b)).toEqual({ spent: 0n, held: leased })
    const rest = []
    for (let i = 1; i <= LEASE_CHUNK; i++) rest.push(ok(await reserveLeased([b], 1000n, new Date(), p)))
    expect(rest.at(-1)!.used).toEqual([BigInt(LEASE_CHUNK) * 1000n]) // the calls in flight before it
    expect(await usage(b)).toEqual({ spent: 0n, held: leased }) // no round trip: the lease did not move
    for (const r of [first, ...rest]) await r.release(600n)
    expect((await usage(b)).spent).toBe(0n) // settled in memory …
    await flushLeases(false, p)
    const spent = 600n * BigInt(1 + LEASE_CHUNK)
    expect(await usage(b)).toEqual({ spent, held: leased - spent }) // … moved from the lease into spent
    await flushLeases(true, p)
    expect(await usage(b)).toEqual({ spent, held: 0n })
  })

  it("processes racing for little room overshoot it by at most one call's maximum, and each sees the others' leases", async () => {
    const b = budget({ amount_micros: '10000' })
    const max: bigint = 750n
    const procs: TLeases[] = [leaseProcessForTests(), leaseProcessForTests(), leaseProcessForTests()]
    const admitted = await Promise.all(
      procs.flatMap((p, pi) =>
        Array.from({ length: 20 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, (i * 3 + pi) % 11))
          const r = await reserveLeased([b], max, new Date(), p)
          if (!r.ok) {
            expect(r.by).toBe('budget')
            return 0n
          }
          await new Promise((res) => setTimeout(res, (i * 7) % 30))
          await r.release(max) // the worst case: every call costs its maximum
          return max
        }),
      ),
    )
    for (const p of procs) await flushLeases(true, p)
    const spent = admitted.reduce((a, x) => a + x, 0n)
    expect(spent).toBeGreaterThanOrEqual(10_000n)
    expect(spent - 10_000n).toBeLessThanOrEqual(max)
    expect(await usage(b)).toEqual({ spent, held: 0n })
    // exhausted: every process refuses, whichever asks
    for (const p of procs) expect((await reserveLeased([b], 1n, new Date(), p)).ok).toBe(false)
  })

  it('a lease holds room away from other processes until given back; a dead process’s lease lapses', async () => {
    const b = budget({ amount_micros: '100000' })
    const a = leaseProcessForTests()
    const other = leaseProcessForTests()
    ok(await reserveLeased([b], 1000n, new Date(), a)) // leases 33,000
    // the other process sees it as used, and its own lease stays within what is left
    const r = ok(await reserveLeased([b], 1000n, new Date(), other))
    expect(r.used).toEqual([1000n * BigInt(1 + LEASE_CHUNK)])
    // the direct path (a call with a run cap) counts both leases too
    const direct = ok(await reserve('org-lease', [b], { runId: 'run-1', capMicros: 10_000_000n }, 1000n, new Date()))
    expect(direct.used).toEqual([2n * 1000n * BigInt(1 + LEASE_CHUNK)])
    await direct.release(0n)
    // process `a` dies: its lease's expiry passes without renewal
    const key = ledgerKey(b.id, windowKey(b, new Date()))
    const fields = await producerConnection().hgetall(key)
    const aField = Object.keys(fields).find((k) => k.startsWith('T:') && k.slice(2) === a.me)!
    await producerConnection().hset(key, aField, String(Date.now() - 1))
    await r.release(0n)
    await flushLeases(true, other)
    const after = ok(await reserveLeased([b], 1000n, new Date(), other))
    expect(after.used).toEqual([0n]) // a's lapsed lease no longer counts (other's settled nothing yet)
    expect(Object.keys(await producerConnection().hgetall(key)).some((k) => k.includes(a.me))).toBe(false) // and was dropped
    await after.release(0n)
    await flushLeases(true, other)
  })

  it('refuses on a denying budget once its room is used, but never on a throttling or brown-out one; rolling windows count the flush in gen', async () => {
    const p = leaseProcessForTests()
    const deny = budget({ amount_micros: '2000' })
    const throttle = budget({ amount_micros: '2000', cutoff_action: 'throttle', period: 'rolling', rolling_days: 7 })
    const results: boolean[] = []
    for (let i = 0; i < 4; i++) {
      const r = await reserveLeased([throttle, deny], 750n, new Date(), p)
      results.push(r.ok)
      if (r.ok) await r.release(700n)
      else expect(r.ok === false && r.by === 'budget' && r.budget.id).toBe(deny.id)
    }
    expect(results).toEqual([true, true, true, false]) // 0, 700, 1,400 < 2,000; then 2,100
    const t = ok(await reserveLeased([throttle], 750n, new Date(), p)) // the throttling budget alone still admits
    expect(t.used).toEqual([2100n])
    await t.release(700n)
    await flushLeases(true, p)
    expect(await usage(deny)).toEqual({ spent: 2100n, held: 0n })
    expect(await usage(throttle)).toEqual({ spent: 2800n, held: 0n })
    expect(await producerConnection().hget(ledgerKey(throttle.id, windowKey(throttle, new Date())), 'gen')).toBe('2800')
  })

  it('keeps the settled spend when Redis fails a flush, and moves it at the next one', async () => {
    const p = leaseProcessForTests()
    const b = budget()
    const r = ok(await reserveLeased([b], 1000n, new Date(), p))
    await r.release(400n)
    const redis = producerConnection()
    const original = redis.evalsha.bind(redis)
    redis.evalsha = (() => Promise.reject(new Error('Redis away'))) as unknown as typeof redis.evalsha
    await expect(flushLeases(false, p)).rejects.toThrow('Redis away')
    redis.evalsha = original
    await flushLeases(true, p)
    expect(await usage(b)).toEqual({ spent: 400n, held: 0n })
  })
})
