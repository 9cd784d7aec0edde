// npm test's dependency check (docs/security.md): `npm audit` of the production
// dependencies in package-lock.json, failing on a known high or critical
// vulnerability. Exit 0: none; 1: some (each printed with its advisory and
// fix); 2: the advisory endpoint could not be asked (offline, proxy, registry
// error) — nothing is known, and scripts/test.sh decides what that does to the run.
import { spawnSync } from 'node:child_process'
import { auditExitCode, describe, readAudit } from './audit/report'

const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
const outcome = r.error ? ({ kind: 'unreachable', reason: r.error.message } as const) : readAudit(r.stdout, r.stderr)
const text = describe(outcome)
if (outcome.kind === 'clean') console.log(text)
else console.error(text)
process.exitCode = auditExitCode(outcome)
