// The web process: Next.js serves every page and API route, except that
// POST /api/v1/decide with an API key — called before each model call our
// customers make, so it must answer in milliseconds at thousands per second —
// is answered here, before Next.js's request pipeline (which costs several
// times the decision itself), by the same code the Next.js route uses
// (lib/decide/http.ts). Run it after `npm run build`:
//   NODE_ENV=production tsx server.ts [-p PORT]        (npm start)
import http from 'node:http'
import next from 'next'
import { DECIDE_MAX_BYTES, decideWithKey, type TPlainResponse } from '@/lib/decide/http'

const argPort = process.argv.indexOf('-p')
const port = Number(argPort > 0 ? process.argv[argPort + 1] : process.env.PORT ?? 3000)
const hostname = process.env.HOSTNAME ?? '0.0.0.0'

function send(res: http.ServerResponse, r: TPlainResponse): void {
  const body = JSON.stringify(r.body)
  res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...r.headers })
  res.end(body)
}

/** The decide fast path: reads at most DECIDE_MAX_BYTES, then answers (413 past it, as the route does). */
function fastDecide(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size > DECIDE_MAX_BYTES) tooLarge = true
    else chunks.push(c)
  })
  req.on('end', () => {
    if (tooLarge) return send(res, { status: 413, body: { error: { code: 'payload_too_large', message: `Body exceeds the limit of ${DECIDE_MAX_BYTES} bytes` } } })
    decideWithKey(req.headers.authorization!, req.headers['content-type'], Buffer.concat(chunks, size)).then(
      (r) => send(res, r),
      () => send(res, { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } }),
    )
  })
  req.on('error', () => res.destroy())
}

async function main(): Promise<void> {
  const app = next({ dev: process.env.NODE_ENV !== 'production', dir: __dirname, hostname, port })
  const handle = app.getRequestHandler()
  await app.prepare()
  const server = http
    .createServer((req, res) => {
      if (req.method === 'POST' && req.headers.authorization && (req.url === '/api/v1/decide' || req.url?.startsWith('/api/v1/decide?'))) return fastDecide(req, res)
      void handle(req, res)
    })
    .listen(port, hostname, () => console.log(`[web] ready on http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${port}`))
  // A clean exit on SIGTERM/SIGINT: answers in flight finish (at most 5 s), and node --cpu-prof gets to write its profile.
  const stop = () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
    setTimeout(() => process.exit(0), 5_000).unref()
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((e) => {
  console.error(`[web] could not start: ${(e as Error).message}`)
  process.exit(1)
})
