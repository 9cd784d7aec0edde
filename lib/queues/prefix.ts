import 'server-only'
import IORedis from 'ioredis'

/** Delete every Redis key under `<prefix>:` (a test's or a benchmark's queues), by SCAN so Redis never blocks. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await r.connect()
    let cursor = '0'
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) await r.del(...keys)
    } while (cursor !== '0')
  } finally {
    r.disconnect()
  }
}
