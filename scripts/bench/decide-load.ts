// The load generator of npm run bench:decide, in a process of its own (forked by
// scripts/bench-decide.ts): open loop at a fixed rate, each request's latency
// measured from its scheduled send time (no coordinated omission), from
// keep-alive connections. Kept lean so that what it measures is the server:
// bodies built before the clock starts, answers not parsed as JSON (the verdict
// is found by a string search), samples in preallocated typed arrays, plain
// callbacks. Its own event-loop delay, GC pauses and CPU over the measured
// window are reported beside the latencies, so a stall of the client shows as
// such instead of passing for the server's.
import net from 'node:net'
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

// The client must cost the machine as little as it can: on 2 cores every cycle it spends is taken from the
// server it measures. Node's http client costs about 0.4 ms of CPU per request here (more than decide itself),
// so requests are written on plain keep-alive sockets as bytes prepared before the clock starts, and answers are
// read with a minimal HTTP/1.1 parser (status line, Content-Length, body): the server always sends a length.

/** The bytes of one POST /api/v1/decide request. */
function requestBytes(url: URL, key: string, body: string): Buffer {
  const head =
    `POST /api/v1/decide HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${key}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`
  return Buffer.from(head + body)
}

/** A keep-alive connection that carries one request at a time and reports each answer's status and body. */
class Connection {
  private buf: Buffer = Buffer.alloc(0)
  private socket: net.Socket
  private closing = false
  busy = false
  constructor(
    private url: URL,
    private onAnswer: (status: number, body: Buffer) => void,
    private onError: () => void,
  ) {
    this.socket = this.connect()
  }
  // A connection the server closed (its keep-alive timeout, after 5 s without a request) is opened again, so the
  // process always has `connections` sockets and never runs out of them (it would exit with requests unanswered).
  private connect(): net.Socket {
    const socket = net.connect(Number(this.url.port || 80), this.url.hostname)
    socket.setNoDelay(true)
    socket.on('data', (c: Buffer) => this.data(c))
    socket.on('error', () => undefined) // 'close' follows
    socket.on('close', () => {
      this.buf = Buffer.alloc(0)
      if (!this.closing) this.socket = this.connect()
      this.fail()
    })
    return socket
  }
  send(bytes: Buffer): void {
    this.busy = true
    this.socket.write(bytes)
  }
  close(): void {
    this.closing = true
    this.socket.destroy()
  }
  private fail(): void {
    if (this.busy) {
      this.busy = false
      this.onError()
    }
  }
  private data(c: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c
    const end = this.buf.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.buf.toString('latin1', 0, end)
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    const length = m ? Number(m[1]) : 0
    if (this.buf.length < end + 4 + length) return
    const status = Number(head.slice(9, 12))
    const body = this.buf.subarray(end + 4, end + 4 + length)
    this.buf = this.buf.subarray(end + 4 + length)
    this.busy = false
    this.onAnswer(status, body)
  }
}

function run(o: TLoadRequest): Promise<TLoadResult> {
  const url = new URL(o.base)
  const total = o.rate * o.seconds
  const fromSchedule = new Float64Array(total),
    service = new Float64Array(total),
    status = new Int16Array(total),
    action = new Int8Array(total)
  const answered = new Uint8Array(total)
  const startedAt = new Float64Array(total)
  let errors = 0,
    done = 0,
    sent = 0
  const loop = monitorEventLoopDelay({ resolution: 1 })
  const gcs: number[] = []
  const gcObserver = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcs.push(e.duration)
  })
  const requests = o.bodies.map((b) => requestBytes(url, o.key, b))
  const markers = ACTION_MARKERS.map((m) => Buffer.from(m))
  return new Promise((resolve) => {
    let t0 = 0
    const cpu0 = process.cpuUsage()
    // requests due while every connection is busy wait here, in order (their latency counts from their schedule)
    const waiting: number[] = []
    let head = 0
    const inFlight = new Int32Array(o.connections).fill(-1)
    const finish = () => {
      loop.disable()
      gcObserver.disconnect()
      const cpu = process.cpuUsage(cpu0)
      const idx = [...answered.keys()].filter((i) => answered[i])
      for (const c of conns) c.close()
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
    const dispatch = (c: number) => {
      if (head >= waiting.length) return
      const i = waiting[head++]
      if (head > 4096 && head * 2 > waiting.length) {
        waiting.splice(0, head)
        head = 0
      }
      inFlight[c] = i
      startedAt[i] = performance.now()
      conns[c].send(requests[i % requests.length])
    }
    const conns: Connection[] = []
    for (let c = 0; c < o.connections; c++) {
      conns.push(
        new Connection(
          url,
          (st, body) => {
            const i = inFlight[c]
            inFlight[c] = -1
            const end = performance.now()
            fromSchedule[i] = end - (t0 + (i * 1000) / o.rate)
            service[i] = end - startedAt[i]
            status[i] = st
            action[i] = markers.findIndex((m) => body.includes(m))
            if (action[i] < 0) errors++
            answered[i] = 1
            settle()
            dispatch(c)
          },
          () => {
            inFlight[c] = -1
            errors++
            settle()
            dispatch(c) // on the connection opened again
          },
        ),
      )
    }
    const tick = () => {
      // request i is due at i / rate: every request whose time has come (not one slot later: that counted half a
      // millisecond at 2,000/s of the client's own in every latency)
      const due = Math.min(total, Math.floor(((performance.now() - t0) * o.rate) / 1000) + 1)
      while (sent < due) waiting.push(sent++)
      for (let c = 0; c < conns.length && head < waiting.length; c++) if (!conns[c].busy) dispatch(c)
      if (sent < total) {
        // the next request is not due yet: sleep (a spin here took a whole core from the server it measures)
        if (performance.now() - t0 < (sent * 1000) / o.rate) setTimeout(tick, 1)
        else setImmediate(tick)
      }
    }
    t0 = performance.now()
    loop.enable()
    gcObserver.observe({ entryTypes: ['gc'] })
    tick()
  })
}

if (process.send) {
  process.once('message', (o: TLoadRequest) => {
    void run(o).then((r) => process.send!(r, () => process.exit(0)))
  })
}
