import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream } from './fake-upstream'
import { startFloorProxy } from './floor-proxy'

// The floor proxy of bench:gateway passes calls through to the fake upstream unchanged, streamed and not: what the
// floor phase measures is a real pass-through, not an early answer.

const free = (): Promise<number> =>
  new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })

function post(port: number, body: unknown): Promise<{ status: number; type: string; text: string; chunks: number }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body))
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', 'content-length': data.byteLength },
      },
      (res) => {
        let text = ''
        let chunks = 0
        res.on('data', (c: Buffer) => {
          chunks++
          text += c.toString('utf8')
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text, chunks }))
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

describe('floor proxy', () => {
  let proxy: http.Server
  let port: number
  beforeAll(async () => {
    const upstreamPort = await free()
    await new Promise<void>((resolve, reject) => startFakeUpstream({ port: upstreamPort, firstMs: 5, chunks: 3, gapMs: 5 }, () => resolve(), reject))
    port = await free()
    await new Promise<void>((resolve, reject) => {
      proxy = startFloorProxy({ port, upstream: `http://127.0.0.1:${upstreamPort}` }, () => resolve(), reject)
    })
  })
  afterAll(() => proxy?.close())

  it('passes a non-streamed answer through whole', async () => {
    const r = await post(port, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    expect(r.status).toBe(200)
    expect(r.type).toMatch(/application\/json/)
    const answer = JSON.parse(r.text) as { model: string; usage: { completion_tokens: number } }
    expect(answer.model).toBe('gpt-4o')
    expect(answer.usage.completion_tokens).toBe(3)
  })

  it('passes a streamed answer through as server-sent events, to [DONE]', async () => {
    const r = await post(port, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(r.status).toBe(200)
    expect(r.type).toMatch(/text\/event-stream/)
    expect(r.text.match(/^data: \{/gm)?.length).toBe(5) // the role, 3 content chunks and the finish chunk
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true)
    expect(r.chunks).toBeGreaterThan(1) // as they came, not gathered
  })

  it('answers the upstream’s error as the upstream gave it', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/unknown', headers: { 'content-length': 2 } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end('{}')
    })
    expect(r).toBe(404)
  })
})
