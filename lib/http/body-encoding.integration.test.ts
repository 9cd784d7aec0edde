import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApiKey, ownerPool, useTestServices } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { serveFast } from '@/lib/http/fast'
import { FAST_ROUTES } from '@/lib/http/fast-routes'
import { MAX_BODY_BYTES } from '@/lib/ingest/schema'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { gpt4oCall } from '@/lib/testing/events'

// A gzip-compressed JSON body (Content-Encoding: gzip, as HTTP clients and exporters send large batches) through
// both doors of POST /api/v1/events — the web server's fast path and the Next.js route — against real PostgreSQL
// and Redis: accepted and stored like the same body uncompressed; its limit applies once decompressed; an encoding
// other than gzip is a 415 naming the header, and bytes that are not gzip a 400 saying so (it was "not valid UTF-8").

let orgId = ''
let key = ''
let server: http.Server
let fastUrl = ''

const batch = (prefix: string, n = 3) => ({ events: Array.from({ length: n }, (_, i) => gpt4oCall(`${prefix}-${i}`)) })
const stored = async (prefix: string) =>
  (
    await ownerPool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingest_batches b, json_array_elements(b.payload) e WHERE b.org_id = $1 AND e->>'id' LIKE $2`,
      [orgId, `${prefix}-%`],
    )
  ).rows[0].n

type TSent = { status: number; body: Record<string, unknown> }
type TDoor = (body: Uint8Array | string, encoding?: string) => Promise<TSent>

const headers = (encoding?: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
  ...(encoding ? { 'content-encoding': encoding } : {}),
})
const doors: Record<'fast path' | 'Next.js route', TDoor> = {
  'fast path': async (body, encoding) => {
    const r = await fetch(fastUrl, { method: 'POST', headers: headers(encoding), body: body as BodyInit })
    return { status: r.status, body: (await r.json()) as Record<string, unknown> }
  },
  'Next.js route': async (body, encoding) => {
    const r = await postEvents(new Request('http://localhost/api/v1/events', { method: 'POST', headers: headers(encoding), body: body as BodyInit }))
    return { status: r.status, body: (await r.json()) as Record<string, unknown> }
  },
}

beforeAll(async () => {
  await useTestServices('body_encoding')
  orgId = (await createOrgWithAdmin({ org_name: 'Gzip Co', email: 'gzip@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  key = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  const route = FAST_ROUTES.get('/api/v1/events')!
  server = http.createServer((req, res) => serveFast(req, res, route))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  fastUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events`
})
afterAll(async () => {
  server?.close()
  await closeQueues()
  await closeDb()
})

describe.each(Object.keys(doors) as (keyof typeof doors)[])('POST /api/v1/events, %s', (door) => {
  const send = (body: Uint8Array | string, encoding?: string) => doors[door](body, encoding)
  const tag = door === 'fast path' ? 'fast' : 'next'

  it('accepts a gzip body as the same body uncompressed', async () => {
    const r = await send(gzipSync(JSON.stringify(batch(`${tag}-gz`))), 'gzip')
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ accepted: 3 })
    expect(await stored(`${tag}-gz`)).toBe(3)
    expect((await send(gzipSync(JSON.stringify(batch(`${tag}-xgz`, 1))), 'x-gzip')).status).toBe(202)
    expect((await send(JSON.stringify(batch(`${tag}-id`, 1)), 'identity')).status).toBe(202)
  })

  it('refuses another encoding with a 415 naming it, and bytes that are not gzip with a 400', async () => {
    const br = await send(JSON.stringify(batch(`${tag}-br`, 1)), 'br')
    expect(br.status).toBe(415)
    expect(JSON.stringify(br.body)).toContain('Content-Encoding \\"br\\" is not supported: send gzip or no Content-Encoding')
    const notGzip = await send(JSON.stringify(batch(`${tag}-plain`, 1)), 'gzip')
    expect(notGzip.status).toBe(400)
    expect(JSON.stringify(notGzip.body)).toContain('Body is not valid gzip (Content-Encoding: gzip)')
    expect(await stored(`${tag}-br`)).toBe(0)
    expect(await stored(`${tag}-plain`)).toBe(0)
  })

  it('applies the body limit once decompressed: a small gzip that inflates past it is a 413', async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20)) // about 1 KB on the wire
    expect(bomb.byteLength).toBeLessThan(16 * 1024)
    const r = await send(bomb, 'gzip')
    expect(r.status).toBe(413)
    expect(JSON.stringify(r.body)).toContain(`Body exceeds the limit of ${MAX_BODY_BYTES} bytes once decompressed`)
  })
})
