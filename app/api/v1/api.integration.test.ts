import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'

// The HTTP contract of PRODUCT.md, through the real route handlers and services.

let ingestKey = ''
let readKey = ''
let otherOrgReadKey = ''

const req = apiRequest
const post = (body: string, key = ingestKey, contentType?: string) => postEvents(req('/api/v1/events', { method: 'POST', key, body, contentType }))

beforeAll(async () => {
  await useTestServices('api')
  const a = await createOrgWithAdmin({ org_name: 'Api Co', email: 'api@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other@example.com', password: 'password-123' })
  ingestKey = (await createTestApiKey(a.org.id, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(a.org.id, { name: 'read', scopes: ['read'] })).key
  otherOrgReadKey = (await createTestApiKey(b.org.id, { name: 'read', scopes: ['read'] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('POST /api/v1/events', () => {
  it('answers 202 with accepted, duplicates and per-event errors', async () => {
    const res = await post(
      JSON.stringify({
        events: [
          { id: 'h1', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 100, tokens_out: 10 },
          { id: 'h2', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 'many', colour: 'red' },
        ],
      }),
    )
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 1, errors: ['tokens_in: must be a number', 'colour: unknown field'] }] })
  })

  it.each([
    ['no key', () => postEvents(req('/api/v1/events', { method: 'POST', body: '{}' })), 401, 'unauthorized'],
    ['a wrong key', () => post('{}', 'ol_not-a-real-key'), 401, 'unauthorized'],
    ['a read-only key', () => post('{}', readKey), 403, 'forbidden'],
    ['malformed JSON', () => post('{"events": ['), 400, 'bad_request'],
    ['a wrong envelope', () => post('{"event": []}'), 400, 'bad_request'],
    ['an empty batch', () => post('{"events": []}'), 400, 'bad_request'],
    ['a wrong content type', () => post('{"events": []}', ingestKey, 'text/plain'), 415, 'unsupported_media_type'],
    ['a body over 1 MiB', () => post(JSON.stringify({ events: [{ id: 'x'.repeat(1100 * 1024) }] })), 413, 'payload_too_large'],
  ])('rejects %s with a clear error', async (_name, send, status, code) => {
    const res = await send()
    expect(res.status).toBe(status)
    const body = await res.json()
    expect(body.error.code).toBe(code)
    expect(body.error.message.length).toBeGreaterThan(5)
  })

  it('names the envelope problem', async () => {
    const res = await post('{"event": []}')
    expect((await res.json()).error.details.errors).toEqual(['events: is required', 'event: unknown field'])
  })
})

describe('GET /api/v1/metrics', () => {
  it('returns the org’s rollups to a read key, and nothing of it to another org', async () => {
    for (const id of await pendingBatches(0)) await processBatch(id)
    const res = await getMetrics(req('/api/v1/metrics?from=2000-01-01&group_by=workflow_id,model&granularity=day', { key: readKey }))
    expect(res.status).toBe(200)
    const { rows } = await res.json()
    // gpt-4o-mini: 100·0.15 + 10·0.60 = 21 µ$
    expect(rows).toEqual([
      expect.objectContaining({ workflow_id: 'w', model: 'gpt-4o-mini', events: 1, tokens_in: 100, tokens_out: 10, cost_usd: '0.000021', unpriced_events: 0 }),
    ])
    expect(rows[0].bucket).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00.000Z$/)
    const other = await getMetrics(req('/api/v1/metrics?from=2000-01-01', { key: otherOrgReadKey }))
    expect((await other.json()).rows).toEqual([])
  })

  it('rejects unknown dimensions and parameters field by field', async () => {
    const res = await getMetrics(req('/api/v1/metrics?group_by=colour&granularity=week&foo=1', { key: readKey }))
    expect(res.status).toBe(400)
    const errors: string[] = (await res.json()).error.details.errors
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^group_by: must be a comma list of: environment, /),
        'granularity: must be hour, day or none',
        'foo: unknown field',
      ]),
    )
  })

  it('refuses text and dates PostgreSQL cannot take by name, and counts a dimension named twice once (each was a 500)', async () => {
    const nul = await getMetrics(req('/api/v1/metrics?workflow_id=%00&account_id=a%ED%A0%80', { key: readKey }))
    expect(nul.status).toBe(400)
    expect((await nul.json()).error.details.errors).toEqual(['workflow_id: must not contain the NUL character (\\u0000)'])
    const far = await getMetrics(req('/api/v1/metrics?from=0000-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&granularity=none', { key: readKey }))
    expect(far.status).toBe(400)
    expect((await far.json()).error.details.errors).toEqual([
      'from: must be between 1970-01-01 and 2999-12-31',
      'to: must be between 1970-01-01 and 2999-12-31',
    ])
    const twice = await getMetrics(req('/api/v1/metrics?from=2000-01-01&group_by=workflow_id,workflow_id', { key: readKey }))
    expect(twice.status).toBe(200)
    expect((await twice.json()).rows).toEqual([expect.objectContaining({ workflow_id: 'w', events: 1 })])
  })

  it('refuses an ingest-only key', async () => {
    expect((await getMetrics(req('/api/v1/metrics', { key: ingestKey }))).status).toBe(403)
  })
})
