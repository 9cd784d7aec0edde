import http, { type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAll } from '@/lib/gateway/upstream'

// readAll over real HTTP: the whole body of a chunked answer, a refusal past the size bound, and a rejection (never a
// truncated body) when the upstream's connection breaks off mid-answer.

let server: Server
let base = ''

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/chunks') {
      res.writeHead(200, { 'content-type': 'application/json' })
      let i = 0
      const next = () => (i < 5 ? res.write(`${i++}`.repeat(1000), () => setTimeout(next, 2)) : res.end('!'))
      next()
    } else if (req.url === '/broken') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' })
      res.write('x'.repeat(1000), () => setTimeout(() => res.socket?.destroy(), 10))
    } else res.end('y'.repeat(5000))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const get = (path: string) => new Promise<IncomingMessage>((resolve, reject) => http.get(`${base}${path}`, resolve).on('error', reject))

describe('readAll', () => {
  it('returns the whole body of an answer that arrives in several chunks', async () => {
    const body = await readAll(await get('/chunks'))
    expect(body.toString()).toBe(`${'0'.repeat(1000)}${'1'.repeat(1000)}${'2'.repeat(1000)}${'3'.repeat(1000)}${'4'.repeat(1000)}!`)
  })

  it('refuses an answer larger than its bound', async () => {
    await expect(readAll(await get('/big'), 4096)).rejects.toThrow('the upstream answer is larger than 4096 bytes')
    expect((await readAll(await get('/big'), 5000)).length).toBe(5000)
  })

  it('rejects when the connection breaks off before the end of the body', async () => {
    await expect(readAll(await get('/broken'))).rejects.toThrow()
  })
})
