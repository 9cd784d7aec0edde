import { describe, expect, it } from 'vitest'
import { RELOAD_MAX_MS, RoutingCache, VERSION_CHECK_MS, type TLiveRouting } from '@/lib/routing/runtime'
import { costEvents, splitEvenly } from '@/lib/routing/evals'
import { ZEvalImport } from '@/lib/routing/schema'

// The cache's contract with injected version and load functions (no services
// needed): calls in between checks read nothing; a moved version reloads.
function harness() {
  let t = 0
  let version: string | null = '1'
  let redisUp = true
  let dbUp = true
  const counts = { versionReads: 0, loads: 0 }
  const cache = new RoutingCache(
    async () => {
      counts.versionReads++
      if (!redisUp) throw new Error('redis away')
      return version
    },
    async (): Promise<TLiveRouting> => {
      if (!dbUp) throw new Error('database away')
      counts.loads++
      return { policies: [], defaults: new Map([['', { provider: 'openai', model: `load-${counts.loads}` }]]) }
    },
    () => t,
  )
  const model = async () => (await cache.get('org')).defaults.get('')!.model
  return {
    cache,
    counts,
    model,
    tick: (ms: number) => (t += ms),
    setVersion: (v: string | null) => (version = v),
    setRedis: (up: boolean) => (redisUp = up),
    setDb: (up: boolean) => (dbUp = up),
  }
}

describe('RoutingCache', () => {
  it('makes concurrent first calls wait for the first load, never answering from an empty copy (e.g. right after a publish)', async () => {
    const h = harness()
    const models = await Promise.all(Array.from({ length: 20 }, () => h.model()))
    expect(new Set(models)).toEqual(new Set(['load-1']))
    expect(h.counts.loads).toBe(1)
    h.cache.forget('org')
    expect(new Set(await Promise.all(Array.from({ length: 20 }, () => h.model())))).toEqual(new Set(['load-2']))
  })

  it('loads once, then serves from memory; checks the version at most every VERSION_CHECK_MS', async () => {
    const h = harness()
    expect(await h.model()).toBe('load-1')
    for (let i = 0; i < 1000; i++) await h.model()
    expect(h.counts).toEqual({ versionReads: 1, loads: 1 })
    h.tick(VERSION_CHECK_MS)
    expect(await h.model()).toBe('load-1')
    expect(h.counts).toEqual({ versionReads: 2, loads: 1 })
  })

  it('reloads when a publish moved the version', async () => {
    const h = harness()
    await h.model()
    h.setVersion('2')
    expect(await h.model()).toBe('load-1') // within the check interval: the copy in memory
    h.tick(VERSION_CHECK_MS)
    expect(await h.model()).toBe('load-2')
  })

  it('keeps serving while Redis is away, and reloads on the safety-net interval', async () => {
    const h = harness()
    await h.model()
    h.setRedis(false)
    h.tick(VERSION_CHECK_MS)
    expect(await h.model()).toBe('load-1')
    h.tick(RELOAD_MAX_MS)
    expect(await h.model()).toBe('load-2')
  })

  it('keeps serving the copy when a reload fails (database away), and reloads once it is back', async () => {
    const h = harness()
    await h.model()
    h.setDb(false)
    h.setVersion('2')
    h.tick(VERSION_CHECK_MS)
    expect(await h.model()).toBe('load-1')
    h.setDb(true)
    h.tick(VERSION_CHECK_MS)
    expect(await h.model()).toBe('load-2')
  })

  it("cached() answers what get would at once, and nothing when get would read first (decide's synchronous path)", async () => {
    const h = harness()
    expect(h.cache.cached('org')).toBeUndefined() // nothing loaded yet
    const first = h.model()
    expect(h.cache.cached('org')).toBeUndefined() // the first load runs: get waits for it, so must the caller
    await first
    expect(h.cache.cached('org')?.defaults.get('')?.model).toBe('load-1')
    h.tick(VERSION_CHECK_MS - 1)
    expect(h.cache.cached('org')?.defaults.get('')?.model).toBe('load-1')
    h.tick(1)
    expect(h.cache.cached('org')).toBeUndefined() // a version check is due: get reads Redis
    h.setVersion('2')
    const checking = h.model()
    expect(h.cache.cached('org')?.defaults.get('')?.model).toBe('load-1') // while it runs, the copy serves, as in get
    expect(await checking).toBe('load-2')
    expect(h.cache.cached('org')?.defaults.get('')?.model).toBe('load-2')
    expect(h.counts).toEqual({ versionReads: 2, loads: 2 }) // cached() itself reads nothing
  })

  it('forget() drops the copy (the publishing process sees its own change at once)', async () => {
    const h = harness()
    await h.model()
    h.cache.forget('org')
    expect(await h.model()).toBe('load-2')
  })
})

describe('eval cost events', () => {
  it('split exactly: parts differ by at most one and sum to the whole', () => {
    expect(splitEvenly(10n, 3)).toEqual([4n, 3n, 3n])
    expect(splitEvenly(2n, 5)).toEqual([1n, 1n, 0n, 0n, 0n])
  })

  it('records a run as eval traffic: tokens, requests and reported cost add up to the run', () => {
    const e = ZEvalImport.parse({
      eval_set: 'golden',
      workflow_id: 'support',
      step: 'classify',
      provider: 'openai',
      model: 'gpt-4o-mini',
      scores: { grounding: 0.95 },
      sample_count: 120,
      tokens_in: 240_007,
      cached_tokens_in: 1_001,
      tokens_out: 36_000,
      cost_usd: '0.123457',
    })
    const evs = costEvents(e, 'x', new Date('2026-11-20T00:00:00Z'))
    expect(evs).toHaveLength(50)
    const sum = (k: string) => evs.reduce((s, x) => s + (x[k] as number), 0)
    expect([sum('tokens_in'), sum('cached_tokens_in'), sum('tokens_out'), sum('requests')]).toEqual([240_007, 1_001, 36_000, 120])
    expect(evs.every((x) => x.traffic_source === 'eval' && (x.cached_tokens_in as number) <= (x.tokens_in as number))).toBe(true)
    expect(Math.round(sum('cost_usd') * 1e6)).toBe(123_457)
    expect(costEvents({ ...e, tokens_in: undefined, tokens_out: undefined }, 'y', new Date())).toEqual([])
  })
})
