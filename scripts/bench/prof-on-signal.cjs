// Preloaded into the web server by npm run bench:gateway -- --cpu-prof (NODE_OPTIONS="--require …", with
// OUTLAY_PROF_DIR set): SIGUSR2 starts a CPU profile of the server, the next SIGUSR2 stops it and writes it to
// $OUTLAY_PROF_DIR/web-<pid>-<n>.cpuprofile. So a profile covers the measured window of a phase, not the server's
// start-up (node --cpu-prof profiles the whole life of the process).
const dir = process.env.OUTLAY_PROF_DIR
if (dir && /server\.ts/.test(process.argv.slice(1).join(' '))) {
  const inspector = require('node:inspector')
  const fs = require('node:fs')
  const path = require('node:path')
  let session = null
  let n = 0
  process.on('SIGUSR2', () => {
    if (!session) {
      session = new inspector.Session()
      session.connect()
      const s = session
      s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 500 }, () => s.post('Profiler.start')))
      return
    }
    const s = session
    session = null
    s.post('Profiler.stop', (err, r) => {
      if (!err) {
        const f = path.join(dir, `web-${process.pid}-${++n}.cpuprofile`)
        fs.writeFileSync(`${f}.tmp`, JSON.stringify(r.profile))
        fs.renameSync(`${f}.tmp`, f)
      }
      s.disconnect()
    })
  })
}
