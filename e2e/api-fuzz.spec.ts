import { test, expect, apiSignIn, createOrg } from './fixtures'
import { fuzzApi, type TOpenApi } from '../lib/testing/api-fuzz'
import { KEY_SCOPES } from '../lib/auth/keys-schema'

// The black-box API fuzz (`npm run fuzz:api`) as part of npm test: the production server of the end-to-end run
// (server.ts's fast paths, Next.js's routes, answers checked against their declarations) fuzzed over HTTP from
// its own GET /api/v1/openapi.json, as an API key with every scope and as a signed-in admin of a throwaway
// organization. No answer may be a 5xx, have an undocumented status (a redirect included) or break its schema.
// FUZZ_RUNS sets the requests per operation (default 5 here; the in-process fuzz in Vitest sends 20).
test('no request built from the API description breaks it over HTTP', async ({ page, baseURL }) => {
  test.setTimeout(600_000)
  const base = baseURL!
  const stamp = Date.now()
  const email = `fuzz-${stamp}@example.com`
  // The organization comes from the CLI (lib/cli), not a sign-up: the specs' sign-ups from this one address already
  // use most of the sign-up throttle's hourly allowance (20 per address), which a real attacker also faces.
  const made = createOrg(`Fuzz ${stamp}`, email, 'fuzz-password-1', KEY_SCOPES)
  const { org_slug, api_key: key } = made
  await apiSignIn(page.request, email, 'fuzz-password-1')
  const cookie = (await page.request.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ')

  const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as TOpenApi
  const result = await fuzzApi({
    doc,
    runs: Number(process.env.FUZZ_RUNS ?? 5),
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
    auth: (op): Record<string, string> => (op.security?.some((s) => 'apiKey' in s) ? { authorization: `Bearer ${key}` } : { cookie, origin: base }),
    send: async (r) => {
      const qs = new URLSearchParams({ org: org_slug, ...r.query }).toString()
      const res = await fetch(`${base}${r.path}?${qs}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' })
      return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
    },
  })
  const failures = result.failures.map((f) => `${f.operation}: ${f.problem}\n  ${JSON.stringify(f.request).slice(0, 400)}`)
  expect(failures, `${result.requests} requests; statuses ${JSON.stringify(result.statuses)}`).toEqual([])
  expect(result.requests).toBeGreaterThan(Object.keys(doc.paths).length)
})
