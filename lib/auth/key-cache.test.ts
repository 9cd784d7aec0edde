import { describe, expect, it } from 'vitest'
import { FailureThrottle, KeyCache } from '@/lib/auth/key-cache'

function setup(opts: { max?: number; ttlMs?: number; missTtlMs?: number } = {}) {
  let t = 1_000_000
  const db = new Map<string, string>()
  const reads: string[] = []
  const cache = new KeyCache<string>({
    max: opts.max ?? 100,
    ttlMs: opts.ttlMs ?? 30_000,
    missTtlMs: opts.missTtlMs ?? 5_000,
    now: () => t,
    load: async (h) => {
      reads.push(h)
      return db.get(h) ?? null
    },
  })
  return {
    cache,
    db,
    reads,
    advance: (ms: number) => {
      t += ms
    },
  }
}

describe('KeyCache', () => {
  it('keeps at most max entries however many distinct tokens are sent, dropping the least recently used', async () => {
    const { cache, db, reads } = setup({ max: 50 })
    db.set('valid', 'principal')
    await cache.get('valid')
    for (let i = 0; i < 10_000; i++) {
      await cache.get(`made-up-${i}`)
      if (i % 10 === 0) await cache.get('valid') // kept warm: never evicted
    }
    expect(cache.size).toBe(50)
    expect(reads.filter((h) => h === 'valid')).toHaveLength(1)
    reads.length = 0
    await cache.get('made-up-0') // long evicted: read again
    expect(reads).toEqual(['made-up-0'])
  })

  it('answers an unknown token from the cache only briefly, a valid key for the TTL', async () => {
    const { cache, db, reads, advance } = setup()
    db.set('k', 'p')
    expect(await cache.get('nope')).toBeNull()
    expect(await cache.get('k')).toBe('p')
    advance(4_000)
    expect(await cache.get('nope')).toBeNull()
    expect(reads).toEqual(['nope', 'k'])
    advance(1_000) // the miss's 5 s are over
    expect(await cache.get('nope')).toBeNull()
    expect(reads).toEqual(['nope', 'k', 'nope'])
  })

  it('a revoked key it was not told about is dropped at the TTL: refreshed in the background after half of it, read in line after all of it', async () => {
    const { cache, db, reads, advance } = setup()
    db.set('k', 'p')
    await cache.get('k')
    db.delete('k') // revoked in another process; no invalidation reaches this one
    advance(10_000)
    expect(await cache.get('k')).toBe('p')
    expect(reads).toEqual(['k'])
    advance(6_000) // past half the TTL: still answered, and read again behind the answer
    expect(await cache.get('k')).toBe('p')
    expect(reads).toEqual(['k', 'k'])
    await Promise.resolve()
    expect(await cache.get('k')).toBeNull()

    db.set('k2', 'p2')
    await cache.get('k2')
    db.delete('k2')
    advance(30_000) // never asked in the second half: past the TTL it waits for the read
    expect(await cache.get('k2')).toBeNull()
  })

  it('cached() answers without a promise what get would answer at once, refreshing in the second half as get does; undefined when get would read', async () => {
    const { cache, db, reads, advance } = setup()
    db.set('k', 'p')
    expect(cache.cached('k')).toBeUndefined() // never read: get would read
    await cache.get('k')
    expect(cache.cached('k')).toBe('p')
    advance(16_000) // the second half: answered, and read again behind the answer
    expect(cache.cached('k')).toBe('p')
    expect(reads).toEqual(['k', 'k'])
    await Promise.resolve()
    advance(29_999)
    expect(cache.cached('k')).toBe('p') // the refresh restarted the TTL
    advance(1)
    expect(cache.cached('k')).toBeUndefined() // past it: get waits for the read
    await cache.get('unknown')
    expect(cache.cached('unknown')).toBeNull() // a recent miss is remembered
    advance(5_000)
    expect(cache.cached('unknown')).toBeUndefined()
  })

  it('invalidate drops a key at once, and a read that started before it is not kept', async () => {
    let release: (v: string | null) => void = () => undefined
    const cache = new KeyCache<string>({
      max: 10,
      ttlMs: 30_000,
      missTtlMs: 5_000,
      load: () =>
        new Promise((r) => {
          release = r
        }),
    })
    const slow = cache.get('k')
    cache.invalidate('k') // revoked while the read was in flight
    release('stale principal')
    expect(await slow).toBe('stale principal')
    expect(cache.peek('k')).toBeNull()
  })

  it('concurrent callers share one read', async () => {
    const { cache, db, reads } = setup()
    db.set('k', 'p')
    expect(await Promise.all([cache.get('k'), cache.get('k'), cache.get('k')])).toEqual(['p', 'p', 'p'])
    expect(reads).toEqual(['k'])
  })
})

describe('FailureThrottle', () => {
  it('refuses a client after limit failures in a window, until the window ends, and counts clients apart', () => {
    let t = 0
    const th = new FailureThrottle({ limit: 3, windowMs: 60_000, maxClients: 100, now: () => t })
    th.fail('a')
    th.fail('a')
    expect(th.retryAfter('a')).toBe(0)
    th.fail('a')
    expect(th.retryAfter('a')).toBe(60)
    expect(th.retryAfter('b')).toBe(0)
    t = 59_001
    expect(th.retryAfter('a')).toBe(1)
    t = 60_000
    expect(th.retryAfter('a')).toBe(0)
    th.fail('a') // a new window
    expect(th.retryAfter('a')).toBe(0)
  })

  it('keeps at most maxClients addresses', () => {
    const th = new FailureThrottle({ limit: 3, windowMs: 60_000, maxClients: 100 })
    for (let i = 0; i < 5_000; i++) th.fail(`10.0.${i >> 8}.${i & 255}`)
    expect(th.size).toBe(100)
  })
})
