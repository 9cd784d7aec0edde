import { describe, expect, it } from 'vitest'
import { loadEnv } from '@/lib/env'

describe('loadEnv', () => {
  const good = { DATABASE_URL: 'postgresql://u@h:5432/db', NEXTAUTH_SECRET: 'a-secret-of-enough-length' }

  it('applies defaults', () => {
    const e = loadEnv(good)
    expect(e).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'outlay', WORKER_CONCURRENCY: 2, RECONCILE_AFTER_SECONDS: 30, INGEST_MAX_BACKLOG_SECONDS: 4, INGEST_MIN_BACKLOG_EVENTS: 5000, INGEST_MAX_PENDING_EVENTS: 30000, PG_MAX_PARALLEL_WORKERS: 0 })
  })

  it('names every missing or wrong variable', () => {
    expect(() => loadEnv({ REDIS_URL: 'http://nope', WORKER_CONCURRENCY: 'many' })).toThrow(
      /DATABASE_URL: .*\n.*REDIS_URL: must be a redis:\/\/ URL\n.*NEXTAUTH_SECRET: .*\n.*WORKER_CONCURRENCY: /s,
    )
    expect(() => loadEnv({ ...good, DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/)
  })
})
