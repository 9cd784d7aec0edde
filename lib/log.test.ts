import { describe, expect, it } from 'vitest'
import { createLogger, jobLogFields, log, logContext, withJobLog, withLogContext } from '@/lib/log'
import { asOrg } from '@/lib/tenant'
import { loadEnv, logLevel } from '@/lib/env'

/** A logger writing into an array, and the lines it wrote as objects. */
function buffered(level: Parameters<typeof createLogger>[0] = 'info') {
  const raw: string[] = []
  const logger = createLogger(level, { write: (s: string) => void raw.push(s) })
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const ORG = '0f6e6c1e-5d6b-4f55-9a43-2f3b4c5d6e7f'

describe('log', () => {
  it('writes one JSON line per call, with the level by name and an ISO time', () => {
    const b = buffered()
    log({}, b.logger).info({ events: 3 }, 'accepted')
    expect(b.raw).toHaveLength(1)
    expect(b.raw[0].endsWith('\n')).toBe(true)
    const [line] = b.lines()
    expect(line).toMatchObject({ level: 'info', msg: 'accepted', events: 3 })
    expect(new Date(line.time as string).toISOString()).toBe(line.time)
  })

  it('carries the organization, the request and the job of the scope it runs in, each once', async () => {
    const b = buffered()
    await withLogContext({ request_id: 'req-1' }, () =>
      asOrg(ORG, async () => {
        await withLogContext({ queue: 'ingest', job_id: '42' }, async () => log({ batch_id: '7', org_id: ORG }, b.logger).warn('deferred'))
      }),
    )
    log({}, b.logger).info('outside')
    const [inside, outside] = b.lines()
    expect(inside).toMatchObject({ org_id: ORG, request_id: 'req-1', queue: 'ingest', job_id: '42', batch_id: '7', level: 'warn', msg: 'deferred' })
    // the organization came from the tenant scope and from the call: one key in the JSON, not two
    expect(b.raw[0].match(/"org_id"/g)).toHaveLength(1)
    expect(outside).not.toHaveProperty('org_id')
    expect(outside).not.toHaveProperty('request_id')
    expect(logContext()).toEqual({})
  })

  it('keeps concurrent scopes apart', async () => {
    const b = buffered()
    const tick = () => new Promise((r) => setTimeout(r, 5))
    await Promise.all(
      ['a', 'b'].map((id) =>
        withLogContext({ request_id: id }, async () => {
          await tick()
          log({}, b.logger).info(id)
        }),
      ),
    )
    expect(b.lines().map((l) => [l.msg, l.request_id])).toEqual(
      expect.arrayContaining([
        ['a', 'a'],
        ['b', 'b'],
      ]),
    )
  })

  it('serializes an error with its type, message and stack', () => {
    const b = buffered()
    log({ component: 'db' }, b.logger).error({ err: new TypeError('connection lost') }, 'idle client error')
    const [line] = b.lines()
    expect(line).toMatchObject({ component: 'db', level: 'error', err: { type: 'TypeError', message: 'connection lost' } })
    expect((line.err as { stack: string }).stack).toContain('TypeError: connection lost')
  })

  it('drops lines under its level', () => {
    const b = buffered('warn')
    log({}, b.logger).info('quiet')
    log({}, b.logger).warn('loud')
    expect(b.lines().map((l) => l.msg)).toEqual(['loud'])
    const s = buffered('silent')
    log({}, s.logger).fatal('nothing')
    expect(s.raw).toEqual([])
  })

  it('names a job by its queue, id and payload', async () => {
    expect(jobLogFields({ queueName: 'ingest', id: '9', data: { batchId: '123', orgId: ORG } })).toEqual({
      queue: 'ingest',
      job_id: '9',
      batch_id: '123',
      org_id: ORG,
    })
    expect(jobLogFields({ queueName: 'notifications', id: '1', data: { orgId: ORG, deliveryId: 5 } })).toEqual({
      queue: 'notifications',
      job_id: '1',
      org_id: ORG,
      delivery_id: '5',
    })
    expect(jobLogFields(undefined, 'budgets')).toEqual({ queue: 'budgets' })
    expect(jobLogFields({ queueName: 'budgets', id: undefined, data: null })).toEqual({ queue: 'budgets' })
    const b = buffered()
    const processor = withJobLog(async (job: { queueName: string; id: string; data: unknown }) => {
      log({}, b.logger).info('processing')
      return job.id
    })
    expect(await processor({ queueName: 'reprice', id: 'r1', data: { repriceId: '77' } })).toBe('r1')
    expect(b.lines()[0]).toMatchObject({ queue: 'reprice', job_id: 'r1', reprice_id: '77', msg: 'processing' })
  })
})

describe('LOG_LEVEL', () => {
  it('defaults to info, to silent under Vitest, and takes a level by name', () => {
    expect(logLevel({})).toBe('info')
    expect(logLevel({ VITEST: 'true' })).toBe('silent')
    expect(logLevel({ VITEST: 'true', LOG_LEVEL: 'debug' })).toBe('debug')
    expect(logLevel({ LOG_LEVEL: 'warn' })).toBe('warn')
  })

  it('is refused at start when it is no level, naming the variable (the logger meanwhile uses info)', () => {
    const good = { DATABASE_URL: 'postgresql://u@h:5432/db', NEXTAUTH_SECRET: 'a-secret-of-enough-length' }
    expect(loadEnv({ ...good, LOG_LEVEL: 'error' }).LOG_LEVEL).toBe('error')
    expect(() => loadEnv({ ...good, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/)
    expect(logLevel({ LOG_LEVEL: 'loud', VITEST: 'true' })).toBe('info')
  })
})
