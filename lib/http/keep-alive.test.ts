import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keepConnectionsAlive, KEEP_ALIVE_MS } from '@/lib/http/keep-alive'

// A real server on a local port: a keep-alive connection left idle past Node.js's 5-second default still serves
// the next request, on the same socket.

let server: http.Server
let port = 0

beforeAll(async () => {
  server = keepConnectionsAlive(http.createServer((_req, res) => res.end('ok')))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

function get(agent: http.Agent): Promise<{ body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ body, socket: req.socket }))
    })
    req.on('error', reject)
  })
}

describe('keepConnectionsAlive', () => {
  it('sets the timeouts: keep-alive 65 s, headers after it', () => {
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_MS)
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout)
  })

  it('serves a request on a connection idle for 6 s on the same socket', { timeout: 20_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const first = await get(agent)
    await new Promise((r) => setTimeout(r, 6_000))
    const second = await get(agent)
    expect(second.body).toBe('ok')
    expect(second.socket).toBe(first.socket)
    agent.destroy()
  })
})
