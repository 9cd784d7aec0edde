// Diagnostic preload for bench:decide (docs/benchmarks/2026-12-06-decide-tail.md), not loaded by default:
//   mkdir -p /tmp/dt/probe /tmp/dt/prof
//   NODE_OPTIONS="--require $PWD/scripts/bench/loop-probe.cjs" npm run bench:decide -- --duration 20
// Every 5 s, each web / worker / bench process appends its event-loop delay (p50/p99/p99.9/max), GC pauses by
// kind, CPU and heap to /tmp/dt/probe/<role>-<pid>.log; PROBE_PROF=1 also writes a 30 s CPU profile of the web
// server (from 45 s after its start) to /tmp/dt/prof.
const { monitorEventLoopDelay, PerformanceObserver, constants } = require('node:perf_hooks')
const fs = require('node:fs')
const args = process.argv.slice(1).join(' ')
if (!/server\.ts|bench-decide|decide-load|workers\/index/.test(args)) return
const name = /server\.ts/.test(args) ? 'web' : /decide-load/.test(args) ? 'load' : /bench-decide/.test(args) ? 'client' : 'worker'
const file = `/tmp/dt/probe/${name}-${process.pid}.log`
const h = monitorEventLoopDelay({ resolution: 1 })
h.enable()
let gcs = []
const kinds = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incr', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' }
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push([kinds[e.detail?.kind] ?? e.detail?.kind, e.duration]) }).observe({ entryTypes: ['gc'] })
let cpu = process.cpuUsage()
setInterval(() => {
  const by = {}
  for (const [k, d] of gcs) { const b = (by[k] ??= { n: 0, total: 0, max: 0, over5: 0 }); b.n++; b.total += d; b.max = Math.max(b.max, d); if (d > 5) b.over5++ }
  const c = process.cpuUsage(cpu); cpu = process.cpuUsage()
  const mu = process.memoryUsage()
  const line = { t: new Date().toISOString().slice(11, 19), eld_ms: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, p999: h.percentile(99.9) / 1e6, max: h.max / 1e6 },
    gc: Object.fromEntries(Object.entries(by).map(([k, v]) => [k, { n: v.n, total_ms: +v.total.toFixed(1), max_ms: +v.max.toFixed(2), over5ms: v.over5 }])),
    cpu_s: +((c.user + c.system) / 1e6).toFixed(2), heap_mb: +(mu.heapUsed / 1048576).toFixed(0), heap_total_mb: +(mu.heapTotal / 1048576).toFixed(0), rss_mb: +(mu.rss / 1048576).toFixed(0) }
  fs.appendFileSync(file, JSON.stringify(line) + '\n')
  h.reset(); gcs = []
}, 5000).unref()
if (name === 'web' && process.env.PROBE_PROF && !/npm|npx/.test(process.argv[1] ?? '')) {
  const inspector = require('node:inspector')
  const s = new inspector.Session(); s.connect()
  // start once the server is up and the load begins: after 45 s, for 30 s
  setTimeout(() => s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 500 }, () => s.post('Profiler.start', () => {
    setTimeout(() => s.post('Profiler.stop', (err, r) => { if (!err) fs.writeFileSync(`/tmp/dt/prof/web-${process.pid}.cpuprofile`, JSON.stringify(r.profile)) }), 30000).unref()
  }))), 45000).unref()
}

// Counts the web server's requests (requestsNow) and calls `start` once it has answered at least PROBE_HEAP_RATE
// requests a second (default 1,000) for 3 seconds in a row (the load is on). PROBE_HEAP and PROBE_PROMISES both wait so.
const heavyWebProbe = name === 'web' && !/npm|npx/.test(process.argv[1] ?? '')
let servedRequests = null
function whenLoaded(start) {
  if (servedRequests === null) {
    servedRequests = 0
    const http = require('node:http')
    const emit = http.Server.prototype.emit
    http.Server.prototype.emit = function (event, ...rest) {
      if (event === 'request') servedRequests++
      return emit.call(this, event, ...rest)
    }
  }
  const rate = Number(process.env.PROBE_HEAP_RATE ?? 1000)
  let last = 0
  let busy = 0
  const watch = setInterval(() => {
    busy = servedRequests - last >= rate ? busy + 1 : 0
    last = servedRequests
    if (busy < 3) return
    clearInterval(watch)
    start()
  }, 1000)
  watch.unref()
}
const requestsNow = () => servedRequests

// PROBE_HEAP=1: the web server's allocation per request, which does not depend on how busy the machine is. Once it
// has answered at least PROBE_HEAP_RATE requests a second (default 1,000) for 3 seconds in a row (the load is on),
// the sampling heap profiler records PROBE_HEAP_S seconds (default 5) of allocations, the collected objects
// included, and /tmp/dt/probe/heap-<pid>.json gets the bytes per request and the top allocating functions.
if (heavyWebProbe && process.env.PROBE_HEAP) {
  const inspector = require('node:inspector')
  const seconds = Number(process.env.PROBE_HEAP_S ?? 5)
  whenLoaded(() => {
    const s = new inspector.Session()
    s.connect()
    // PROBE_HEAP_LIVE=1: only what a scavenge did not collect (still live, or promoted and not yet marked dead): what
    // makes the scavenges long, by the site that allocated it
    const all = !process.env.PROBE_HEAP_LIVE
    const flags = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: all, includeObjectsCollectedByMinorGC: all }
    s.post('HeapProfiler.startSampling', flags, () => {
      const r0 = requestsNow()
      setTimeout(() => {
        s.post('HeapProfiler.stopSampling', (err, r) => {
          if (err) return
          const n = requestsNow() - r0
          const sites = new Map()
          let total = 0
          const walk = (node) => {
            total += node.selfSize
            const f = node.callFrame
            const k = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(lib|node_modules)\//, '$1/')}:${f.lineNumber + 1}`
            sites.set(k, (sites.get(k) ?? 0) + node.selfSize)
            for (const c of node.children) walk(c)
          }
          walk(r.profile.head)
          const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => [k, Math.round(v / n)])
          fs.writeFileSync(`/tmp/dt/probe/heap-${process.pid}.json`, JSON.stringify({ requests: n, seconds, bytes_per_request: Math.round(total / n), top }, null, 1))
        })
      }, seconds * 1000).unref()
    })
  })
}

// PROBE_PROMISES=1: how many promises the web server creates per request, and where (every promise pays Node 20's
// AsyncLocalStorage hooks). Once the load is on (as PROBE_HEAP), for PROBE_HEAP_S seconds, every promise is counted
// and one in 16 has its stack read; /tmp/dt/probe/promises-<pid>.json gets the count per request and the sites
// (the first frame outside node:internal), scaled to per request.
if (heavyWebProbe && process.env.PROBE_PROMISES) {
  const ah = require('node:async_hooks')
  const seconds = Number(process.env.PROBE_HEAP_S ?? 5)
  whenLoaded(() => {
    let count = 0
    const sites = new Map()
    const hook = ah.createHook({
      init(_id, type) {
        if (type !== 'PROMISE') return
        if (count++ % 16) return
        const o = {}
        const lim = Error.stackTraceLimit
        Error.stackTraceLimit = 12
        Error.captureStackTrace(o)
        Error.stackTraceLimit = lim
        const frames = o.stack.split('\n').slice(1).map((l) => l.trim().replace(/^at /, ''))
        const own = frames.filter((f) => !/node:internal|loop-probe/.test(f))
        const k = own.slice(0, 3).map((f) => f.replace(/\(.*\/(lib|node_modules|workers)\//, '($1/').replace(/file:\/\/\/\S*\//, '')).join(' < ') || frames[0]
        sites.set(k, (sites.get(k) ?? 0) + 1)
      },
    })
    const r0 = requestsNow()
    hook.enable()
    setTimeout(() => {
      hook.disable()
      const n = requestsNow() - r0
      const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => [k, +((v * 16) / n).toFixed(2)])
      fs.writeFileSync(`/tmp/dt/probe/promises-${process.pid}.json`, JSON.stringify({ requests: n, seconds, promises_per_request: +(count / n).toFixed(1), top }, null, 1))
    }, seconds * 1000).unref()
  })
}
