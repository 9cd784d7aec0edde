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
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'

export type TLoadRequest = { base: string; key: string; rate: number; seconds: number; connections: number; bodies: string[] }
export type TLoadResult = {
  /** per answered request: ms from the scheduled send, ms from the actual send, HTTP status, verdict index (ACTIONS; -1 unknown) */
  fromSchedule: number[]
  service: number[]
  status: number[]
  action: number[]
  errors: number
  wallS: number
  client: { cpu_s: number; loop_delay_p99_ms: number; loop_delay_max_ms: number; gc_pauses: number; gc_total_ms: number; gc_max_ms: number }
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
    done = 0,
    sent = 0
  const loop = monitorEventLoopDelay({ resolution: 1 })
  const gcs: number[] = []
  const gcObserver = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcs.push(e.duration)
  })
  const headers = { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' }
  return new Promise((resolve) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    loop.enable()
    gcObserver.observe({ entryTypes: ['gc'] })
    const finish = () => {
      loop.disable()
      gcObserver.disconnect()
      const cpu = process.cpuUsage(cpu0)
      const idx = [...answered.keys()].filter((i) => answered[i])
      agent.destroy()
      resolve({
        fromSchedule: idx.map((i) => fromSchedule[i]),
        service: idx.map((i) => service[i]),
        status: idx.map((i) => status[i]),
        action: idx.map((i) => action[i]),
        errors,
        wallS: (performance.now() - t0) / 1000,
        client: {
          cpu_s: (cpu.user + cpu.system) / 1e6,
          loop_delay_p99_ms: loop.percentile(99) / 1e6,
          loop_delay_max_ms: loop.max / 1e6,
          gc_pauses: gcs.length,
          gc_total_ms: gcs.reduce((a, b) => a + b, 0),
          gc_max_ms: gcs.length ? Math.max(...gcs) : 0,
        },
      })
    }
    const settle = () => {
      if (++done === total) finish()
    }
    const send = (i: number) => {
      const scheduled = t0 + (i * 1000) / o.rate
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
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * o.rate) / 1000))
      while (sent < due) send(sent++)
      if (sent < total) {
        // ahead of the schedule: wait for the next request's time (a timer fires ≥ 1 ms later); behind: send on the next turn
        if (performance.now() - t0 < (sent * 1000) / o.rate) setTimeout(tick, 1)
        else setImmediate(tick)
      }
    }
    tick()
  })
}

// As a forked child: one TLoadRequest in, one TLoadResult out.
if (process.send) {
  process.once('message', (o: TLoadRequest) => {
    void run(o).then((r) => process.send!(r, () => process.exit(0)))
  })
}
