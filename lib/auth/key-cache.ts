import 'server-only'
import { LRUCache } from 'lru-cache'

// The in-process caches in front of API-key lookups (lib/auth/api-keys.ts).
// Both are bounded (least recently used entries go first), so a stream of
// distinct made-up tokens or client addresses cannot grow the process.

type TEntry<P> = { at: number; value: P | null }

export type TKeyCacheOptions<P> = {
  /** most entries kept (valid keys and misses together) */
  max: number
  /** a valid key is answered from the cache for at most this long after its read; refreshed in the background after half of it */
  ttlMs: number
  /** an unknown token is answered "no" from the cache for this long */
  missTtlMs: number
  load: (hash: string) => Promise<P | null>
  now?: () => number
}

export class KeyCache<P> {
  private readonly entries: LRUCache<string, TEntry<P>>
  /** one read per key at a time; concurrent callers share it. The token tells a read that an invalidation came after it started. */
  private readonly loading = new Map<string, { token: object; promise: Promise<P | null> }>()
  private readonly now: () => number

  constructor(private readonly opts: TKeyCacheOptions<P>) {
    this.entries = new LRUCache({ max: opts.max })
    this.now = opts.now ?? Date.now
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * The key's principal (null: unknown). Answers from the cache while fresh;
   * in the second half of a valid key's TTL it answers from the cache and
   * refreshes once in the background, so a busy key never waits on the
   * database; past the TTL it waits for the read, so a process that missed an
   * invalidation still drops a revoked key within ttlMs.
   */
  async get(hash: string): Promise<P | null> {
    const known = this.cached(hash)
    return known !== undefined ? known : this.load(hash)
  }

  /**
   * What `get` answers without waiting, when it would (a fresh entry, or a
   * recent miss: starting the second half's background refresh as `get`
   * does); undefined when the answer needs a read. Decide's synchronous path.
   */
  cached(hash: string): P | null | undefined {
    const hit = this.entries.get(hash)
    if (!hit) return undefined
    const age = this.now() - hit.at
    if (hit.value === null) return age < this.opts.missTtlMs ? null : undefined
    if (age >= this.opts.ttlMs) return undefined
    if (age >= this.opts.ttlMs / 2) void this.load(hash).catch(() => undefined)
    return hit.value
  }

  /** The cached principal when it is valid and within its TTL, without any read. */
  peek(hash: string): P | null {
    const hit = this.entries.peek(hash)
    return hit && hit.value !== null && this.now() - hit.at < this.opts.ttlMs ? hit.value : null
  }

  /** Forget a key (revoked, rotated, expired elsewhere): the next request reads it again. */
  invalidate(hash: string): void {
    this.entries.delete(hash)
    this.loading.delete(hash)
  }

  clear(): void {
    this.entries.clear()
    this.loading.clear()
  }

  private load(hash: string): Promise<P | null> {
    const current = this.loading.get(hash)
    if (current) return current.promise
    const token = {}
    const promise = this.opts.load(hash).then(
      (value) => {
        // a read that an invalidation overtook may have seen the key before its revocation: answer, but don't keep it
        if (this.loading.get(hash)?.token === token) {
          this.entries.set(hash, { at: this.now(), value })
          this.loading.delete(hash)
        }
        return value
      },
      (e: unknown) => {
        if (this.loading.get(hash)?.token === token) this.loading.delete(hash)
        throw e
      },
    )
    this.loading.set(hash, { token, promise })
    return promise
  }
}

export type TThrottleOptions = { limit: number; windowMs: number; maxClients: number; now?: () => number }

/**
 * Failed key lookups per client address in fixed windows: after `limit`
 * failures in a window the client is refused until the window ends.
 */
export class FailureThrottle {
  private readonly clients: LRUCache<string, { start: number; failures: number }>
  private readonly now: () => number

  constructor(private readonly opts: TThrottleOptions) {
    this.clients = new LRUCache({ max: opts.maxClients })
    this.now = opts.now ?? Date.now
  }

  get size(): number {
    return this.clients.size
  }

  /** Seconds until the client may try again; 0 when it may now. */
  retryAfter(client: string): number {
    const c = this.clients.peek(client)
    if (!c || c.failures < this.opts.limit) return 0
    const left = c.start + this.opts.windowMs - this.now()
    return left > 0 ? Math.ceil(left / 1000) : 0
  }

  fail(client: string): void {
    const now = this.now()
    const c = this.clients.get(client)
    if (!c || now - c.start >= this.opts.windowMs) this.clients.set(client, { start: now, failures: 1 })
    else c.failures++
  }
}
