// npm run fuzz:api -- --url http://localhost:3000 --key outlay_sk_… [--cookie 'next-auth.session-token=…'] [--runs 50] [--seed N]
// A black-box property-based fuzz of a running Outlay, driven only by its
// GET /api/v1/openapi.json (lib/testing/api-fuzz.ts): no 5xx, every status
// documented, every answer matching its schema. Use a throwaway organization:
// the fuzzer creates, changes and deletes what the key may.
import { parseArgs } from 'node:util'
import { fuzzApi, type TOpenApi } from '@/lib/testing/api-fuzz'

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    key: { type: 'string' },
    cookie: { type: 'string' },
    runs: { type: 'string', default: '50' },
    seed: { type: 'string' },
  },
})
if (!a.key) {
  console.error('--key <an API key with the ingest, read and write scopes> is required')
  process.exit(2)
}
const base = a.url!.replace(/\/$/, '')
const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as TOpenApi
const started = Date.now()
const result = await fuzzApi({
  doc,
  runs: Number(a.runs),
  seed: a.seed ? Number(a.seed) : undefined,
  auth: (op): Record<string, string> =>
    op.security?.some((s) => 'apiKey' in s) ? { authorization: `Bearer ${a.key}` } : a.cookie ? { cookie: a.cookie, origin: base } : {},
  send: async (r) => {
    const qs = new URLSearchParams(r.query).toString()
    const res = await fetch(`${base}${r.path}${qs ? `?${qs}` : ''}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' })
    return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
  },
  onOperation: (op, n) => process.stdout.write(`${op}: ${n} requests\n`),
})
console.log(`\n${result.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(result.statuses)}`)
for (const f of result.failures) console.log(`FAIL ${f.operation}: ${f.problem}\n  ${JSON.stringify(f.request)}`)
console.log(result.failures.length ? `${result.failures.length} operation(s) broke the contract` : 'no request broke the contract')
process.exit(result.failures.length ? 1 : 0)
