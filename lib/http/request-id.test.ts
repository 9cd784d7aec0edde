import { describe, expect, it } from 'vitest'
import { REQUEST_ID_HEADER, requestIdFrom, saneRequestId } from '@/lib/http/request-id'
import { withRequestId } from '@/lib/http/with-request-id'
import { logContext } from '@/lib/log'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('request ids', () => {
  it("keeps a caller's sane token", () => {
    for (const id of [
      '3f2b8c1e-1111-4a2b-9c3d-aabbccddeeff',
      '01HZX3V6Q9Y8J2K4M5N7P8R9S0',
      'req_42',
      'Root=1-67891233-abcdef012345678912345678',
      'dGVzdA==',
      'a'.repeat(128),
      'svc.api:1234/5+6',
    ]) {
      expect(saneRequestId(id)).toBe(id)
      expect(requestIdFrom(id)).toBe(id)
    }
  })

  it('refuses what could break a header or a log line, or is too long', () => {
    for (const id of [
      '',
      ' ',
      'a b',
      'abc\n{"level":"fatal"}',
      'abc\r\nSet-Cookie: x=1',
      '"quoted"',
      'a,b',
      'a, b',
      '-leading-dash',
      'é',
      '<script>',
      'a'.repeat(129),
      'tab\there',
    ]) {
      expect(saneRequestId(id)).toBeNull()
      expect(requestIdFrom(id)).toMatch(UUID)
    }
    // a header sent twice reaches Node as a list (or joined by ", "): not one id
    expect(saneRequestId(['a', 'b'])).toBeNull()
    expect(saneRequestId(undefined)).toBeNull()
    expect(saneRequestId(null)).toBeNull()
  })

  it('makes a new id for each request without a sane one', () => {
    const a = requestIdFrom(undefined)
    const b = requestIdFrom('bad id')
    expect(a).toMatch(UUID)
    expect(b).toMatch(UUID)
    expect(a).not.toBe(b)
  })
})

describe('withRequestId', () => {
  const handler = withRequestId(async (_req: Request, status: number) => Response.json({ seen: logContext().request_id ?? null }, { status }))

  it("answers with the caller's id and logs under it", async () => {
    const res = await handler(new Request('http://x/api/v1/events', { headers: { [REQUEST_ID_HEADER]: 'caller-7' } }), 202)
    expect(res.status).toBe(202)
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe('caller-7')
    expect(await res.json()).toEqual({ seen: 'caller-7' })
  })

  it('answers with a new id when the caller sent none or a bad one', async () => {
    for (const headers of [{}, { [REQUEST_ID_HEADER]: 'x\ty' }] as Record<string, string>[]) {
      const res = await handler(new Request('http://x/api/v1/events', { headers }), 200)
      const id = res.headers.get(REQUEST_ID_HEADER)
      expect(id).toMatch(UUID)
      expect(await res.json()).toEqual({ seen: id })
    }
  })

  it('puts the id on answers whose headers are immutable', async () => {
    const redirect = withRequestId(async () => Response.redirect('http://x/elsewhere', 307))
    const res = await redirect(new Request('http://x/a', { headers: { [REQUEST_ID_HEADER]: 'r-1' } }))
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('http://x/elsewhere')
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe('r-1')
  })
})
