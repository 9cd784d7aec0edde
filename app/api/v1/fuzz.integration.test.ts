import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { KEY_SCOPES } from '@/lib/auth/api-keys'
import { openapiDocument } from '@/lib/api/openapi'
import { API_DIR, API_ROUTES, openapiPath } from '@/lib/testing/routes'
import { fuzzApi, type TFuzzRequest, type TOpenApi } from '@/lib/testing/api-fuzz'
import type { TSessionUser } from '@/lib/auth/session'

// The API fuzzed from its own OpenAPI document (lib/testing/api-fuzz.ts):
// every operation, requests valid and broken, as an API key with every scope
// and as a signed-in admin; no answer may be a 5xx, and every answer must have
// a documented status and match its schema. FUZZ_RUNS sets the requests per
// operation (default 20; `npm run fuzz:api` runs the same over HTTP).

let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => signedIn,
}))

type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
const RUNS = Number(process.env.FUZZ_RUNS ?? 20)
let key = ''

beforeAll(async () => {
  await useTestServices('api_fuzz')
  const made = await createOrgWithAdmin({ org_name: 'Fuzz Co', email: 'admin@fuzz.example', password: 'password-123' })
  setTestDefaultOrg(made.org.id)
  signedIn = { id: made.userId, email: 'admin@fuzz.example', name: null }
  key = (await createTestApiKey(made.org.id, { name: 'fuzz', scopes: [...KEY_SCOPES] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const byTemplate = new Map(API_ROUTES.map((r) => [openapiPath(r.path), r.file]))

async function send(r: TFuzzRequest) {
  const file = byTemplate.get(r.pathTemplate)
  if (!file) throw new Error(`no route file for ${r.pathTemplate}`)
  const mod = (await import(path.join(API_DIR, path.relative(API_DIR, file)))) as Record<string, THandler>
  const qs = new URLSearchParams(r.query).toString()
  const url = `http://localhost${r.path}${qs ? `?${qs}` : ''}`
  const req = new Request(url, { method: r.method, headers: { origin: 'http://localhost', ...r.headers }, body: r.body })
  const res = await mod[r.method](req, { params: Promise.resolve(r.params) })
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
}

describe('the API under a property-based fuzzer driven by its OpenAPI document', () => {
  it('answers every request with a documented status and schema, never a 5xx', async () => {
    const doc = openapiDocument() as unknown as TOpenApi
    const result = await fuzzApi({
      doc,
      runs: RUNS,
      seed: Number(process.env.FUZZ_SEED ?? 20261206),
      send,
      // an API key where the operation takes one; else the signed-in admin's session (the mocked sessionUser)
      auth: (op): Record<string, string> => (op.security?.some((s) => 'apiKey' in s) ? { authorization: `Bearer ${key}` } : {}),
    })
    console.log(`fuzzed ${result.requests} requests; statuses ${JSON.stringify(result.statuses)}`)
    expect(result.failures.map((f) => `${f.operation}: ${f.problem}\n  ${JSON.stringify(f.request)}`)).toEqual([])
    expect(result.requests).toBeGreaterThan(RUNS * 10)
  }, 600_000)
})
