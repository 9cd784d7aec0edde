// What the benchmarks' load processes share (scripts/bench/decide-load.ts, scripts/bench/gateway-load.ts): an
// open-loop schedule — request i is due at a fixed time whatever happened to the ones before, and its latency
// counts from that time, so a server (or client) that falls behind shows in the figures instead of slowing the
// load down (no coordinated omission) — and the load process's own figures over the measured window (CPU,
// event-loop delay, GC pauses), reported beside the latencies so that a stall of the client is seen as such.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'

export type TClientFigures = {
  cpu_s: number
  loop_delay_p99_ms: number
  loop_delay_max_ms: number
  gc_pauses: number
  gc_total_ms: number
  gc_max_ms: number
}

/** The process's CPU, event-loop delay and GC pauses from start() to stop(). */
export function clientMonitor(): { start(): void; stop(): TClientFigures } {
  const loop = monitorEventLoopDelay({ resolution: 1 })
  let gcs: number[] = []
  const gc = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcs.push(e.duration)
  })
  let cpu0 = process.cpuUsage()
  let on = false
  return {
    start() {
      if (on) return
      on = true
      gcs = []
      loop.reset()
      loop.enable()
      gc.observe({ entryTypes: ['gc'] })
      cpu0 = process.cpuUsage()
    },
    stop() {
      const cpu = process.cpuUsage(cpu0)
      loop.disable()
      gc.disconnect()
      on = false
      return {
        cpu_s: (cpu.user + cpu.system) / 1e6,
        loop_delay_p99_ms: loop.percentile(99) / 1e6,
        loop_delay_max_ms: loop.max / 1e6,
        gc_pauses: gcs.length,
        gc_total_ms: gcs.reduce((a, b) => a + b, 0),
        gc_max_ms: gcs.length ? Math.max(...gcs) : 0,
      }
    },
  }
}

/**
 * Calls send(i, scheduled) for i = 0 … total-1 as soon as performance.now() reaches scheduled = at(i) (at: non-
 * decreasing), several in one turn when behind. Ahead of the schedule it waits on a 1 ms timer, so a send is up to
 * a millisecond or so late (a timer's granularity); that delay is part of the latency measured from `scheduled`, for
 * every target alike.
 */
export function openLoop(total: number, at: (i: number) => number, send: (i: number, scheduled: number) => void): void {
  let next = 0
  const tick = () => {
    const now = performance.now()
    while (next < total && at(next) <= now) {
      send(next, at(next))
      next++
    }
    if (next >= total) return
    // ahead of the schedule: a timer (fires ≥ 1 ms later; spinning on setImmediate would burn a core the server
    // needs); fallen behind while sending: the next turn of the loop
    if (at(next) > performance.now()) setTimeout(tick, 1)
    else setImmediate(tick)
  }
  tick()
}
