// Runs in the browser before the app's own code (Next.js's instrumentation-client convention).
// Zod 4 compiles object parsers with `new Function` unless told not to, and probes for that
// with an eval the pages' Content-Security-Policy (script-src without 'unsafe-eval', proxy.ts)
// blocks and reports as a violation. The browser only validates small forms: the interpreted
// parser is plenty. Server code keeps the compiled one (this file is not loaded there).
import { z } from 'zod'

z.config({ jitless: true })
