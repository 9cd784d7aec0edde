// The web process: Next.js serves every page and API route, except that
// API-key calls to POST /api/v1/decide, /api/v1/events, /api/v1/outcomes and the gateway's endpoints —
// made by our customers' services around every model call, thousands of times
// a second — are answered here, before Next.js's request pipeline (which costs
// several times the work itself), by the same code their Next.js routes use
// (lib/http/fast.ts, lib/http/fast-routes.ts). Run it after `npm run build`:
//   NODE_ENV=production tsx server.ts [-p PORT]        (npm start)
import http from 'node:http'
import next from 'next'
import { apiPathWithEmptySegment, fastRouteFor, serveEmptySegment, serveFast } from '@/lib/http/fast'
import { FAST_ROUTES } from '@/lib/http/fast-routes'
import { gatewayRouteFor, serveGateway } from '@/lib/gateway/http'
import { drainGateway } from '@/lib/gateway/drain'
import { SOCKET_ADDRESS_HEADER } from '@/lib/http/client-address'
import { keepConnectionsAlive } from '@/lib/http/keep-alive'
import { loadEnv } from '@/lib/env'
import { REQUEST_ID_HEADER, requestIdFrom } from '@/lib/http/request-id'
import { log } from '@/lib/log'

const argPort = process.argv.indexOf('-p')
const port = Number(argPort > 0 ? process.argv[argPort + 1] : (process.env.PORT ?? 3000))
const hostname = process.env.HOSTNAME ?? '0.0.0.0'

async function main(): Promise<void> {
  // Refuse to start on a wrong configuration (in production: a placeholder or short NEXTAUTH_SECRET, no NEXTAUTH_URL):
  // Next.js only logs an error thrown by instrumentation.ts and serves anyway.
  loadEnv()
  const app = next({ dev: process.env.NODE_ENV !== 'production', dir: __dirname, hostname, port })
  const handle = app.getRequestHandler()
  await app.prepare()
  const server = http
    .createServer((req, res) => {
      // Every answer carries the request's id (lib/http/request-id.ts); Next.js's routes read the sane one put back here.
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER])
      req.headers[REQUEST_ID_HEADER] = requestId
      res.setHeader(REQUEST_ID_HEADER, requestId)
      if (apiPathWithEmptySegment(req)) return serveEmptySegment(req, res)
      const fast = fastRouteFor(req, FAST_ROUTES)
      if (fast) return serveFast(req, res, fast)
      // the gateway's endpoints (lib/gateway/http.ts): keyed calls around every model call, streamed answers
      const gateway = gatewayRouteFor(req)
      if (gateway) return serveGateway(req, res, gateway)
      // The peer's address for per-client throttles (lib/http/client-address.ts); a value the client sent is overwritten.
      req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress ?? ''
      void handle(req, res)
    })
    .listen(port, hostname, () =>
      log({ component: 'web' }).info({ port, listen: hostname }, `ready on http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${port}`),
    )
  // idle keep-alive connections stay open 65 s, not 5 (lib/http/keep-alive.ts)
  keepConnectionsAlive(server)
  // A clean exit on SIGTERM/SIGINT: answers in flight finish (at most 5 s), the gateway's buffered events are stored
  // and its budget leases given back with their settled spend, and node --cpu-prof gets to write its profile.
  const stop = () => {
    server.close(() => void drainGateway().finally(() => process.exit(0)))
    server.closeIdleConnections()
    setTimeout(() => process.exit(0), 5_000).unref()
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((e) => {
  log({ component: 'web' }).fatal({ err: e }, `could not start: ${(e as Error).message}`)
  process.exit(1)
})
