// The floor of npm run bench:gateway, in a process of its own (forked by scripts/bench-gateway.ts): the least a
// Node.js gateway can do — a plain node:http server that reads the request, sends it to the fake upstream on a
// kept-alive connection (node:http, as lib/gateway/upstream.ts) and passes the answer back as it comes, streamed
// or not. No authentication, routing, budget, pricing or recording. What it adds to a call on this machine is what
// Node.js's HTTP server and client alone cost here, under the same load, so the gateway's added latency can be
// read against it: a target below the floor is out of reach of any gateway on this runtime and machine.
import http from 'node:http'

export type TFloorProxyOptions = { port: number; upstream: string }
export type TFloorProxyMessage = { ready: number } | { error: string }
/** set in the environment of the bench's child process */
export const FLOOR_PROXY_CHILD = 'OUTLAY_FLOOR_PROXY_CHILD'

export function startFloorProxy(o: TFloorProxyOptions, onListening: (port: number) => void, onError: (e: Error) => void): http.Server {
  const upstream = new URL(o.upstream)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.byteLength) }
      if (req.headers.accept) headers.accept = req.headers.accept
      if (req.headers.authorization) headers.authorization = req.headers.authorization
      const up = http.request({ host: upstream.hostname, port: upstream.port, method: 'POST', path: req.url, agent, headers }, (ur) => {
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(ur.headers)) if (typeof v === 'string' && k !== 'connection' && k !== 'keep-alive') out[k] = v
        res.writeHead(ur.statusCode ?? 502, out)
        ur.pipe(res)
      })
      up.on('error', () => res.destroy())
      res.on('close', () => {
        if (!res.writableFinished) up.destroy()
      })
      up.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  server.on('error', onError)
  server.listen(o.port, '127.0.0.1', () => onListening(o.port))
  return server
}

// As the bench's forked child (FLOOR_PROXY_CHILD, set by the bench; not when a test imports this file from a
// worker process of its own): its options in, { ready: port } out; gone with its parent.
if (process.send && process.env[FLOOR_PROXY_CHILD]) {
  process.once('message', (o: TFloorProxyOptions) => {
    startFloorProxy(
      o,
      (port) => process.send!({ ready: port } satisfies TFloorProxyMessage),
      (e) => process.send!({ error: e.message } satisfies TFloorProxyMessage, () => process.exit(1)),
    )
  })
  process.on('disconnect', () => process.exit(0))
}
