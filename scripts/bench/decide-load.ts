// The load generator of npm run bench:decide, in a process of its own (forked by
// scripts/bench-decide.ts): open loop at a fixed rate, each request's latency
// measured from its scheduled send time (no coordinated omission), from
// keep-alive connections. Kept lean so that what it measures is the server:
// bodies built before the clock starts, answers not parsed as JSON (the verdict
// is found by a string search), samples in preallocated typed arrays, plain
// callbacks. Its own event-loop delay, GC pauses and CPU over the measured
// window are reported beside the latencies, so a stall of the client shows as
// such instead of passing for the server's.
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { clientMonitor, openLoop, type TClientFigures } from './open-loop'

export type TLoadRequest = { base: string; key: string; rate: number; seconds: number; connections: number; bodies: string[] }
export type TLoadResult = {
  /** per answered request: ms from the scheduled send, ms from the actual send, HTTP status, verdict index (ACTIONS; -1 unknown) */
  fromSchedule: number[]
  service: number[]
  status: number[]
  action: number[]
  errors: number
  wallS: number
  client: TClientFigures
}
export const ACTIONS = ['allow', 'throttle', 'deny'] as const
const ACTION_MARKERS = ACTIONS.map((a) => `"action":"${a}"`)

function run(o: TLoadRequest): Promise<TLoadResult> {
  const url = new URL(o.base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections })
  const total = o.rate * o.seconds
  const fromSchedule = new Float64Array(total),
    service = new Float64Array(total),
    status = new Int16Array(total),
    action = new Int8Array(total)
  const answered = new Uint8Array(total)
  let errors = 0,
    done = 0
  const monitor = clientMonitor()
  const headers = { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' }
  return new Promise((resolve) => {
    const t0 = performance.now()
    monitor.start()
    const finish = () => {
      const client = monitor.stop()
      const idx = [...answered.keys()].filter((i) => answered[i])
      agent.destroy()
      resolve({
        fromSchedule: idx.map((i) => fromSchedule[i]),
        service: idx.map((i) => service[i]),
        status: idx.map((i) => status[i]),
        action: idx.map((i) => action[i]),
        errors,
        wallS: (performance.now() - t0) / 1000,
        client,
      })
    }
    const settle = () => {
      if (++done === total) finish()
    }
    const send = (i: number, scheduled: number) => {
      const body = o.bodies[i % o.bodies.length]
      const start = performance.now()
      const req = http.request(
        {
          host: url.hostname,
          port: Number(url.port || 80),
          method: 'POST',
          path: '/api/v1/decide',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: 10_000,
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (text += c))
          res.on('end', () => {
            const end = performance.now()
            fromSchedule[i] = end - scheduled
            service[i] = end - start
            status[i] = res.statusCode ?? 0
            action[i] = ACTION_MARKERS.findIndex((m) => text.includes(m))
            if (action[i] < 0) errors++
            answered[i] = 1
            settle()
          })
          res.on('error', () => {
            errors++
            settle()
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', () => {
        errors++
        settle()
      })
      req.end(body)
    }
    openLoop(total, (i) => t0 + (i * 1000) / o.rate, send)
  })
}

// As a forked child: one TLoadRequest in, one TLoadResult out.
if (process.send) {
  process.once('message', (o: TLoadRequest) => {
    void run(o).then((r) => process.send!(r, () => process.exit(0)))
  })
}
