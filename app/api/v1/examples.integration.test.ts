import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { KEY_SCOPES } from '@/lib/auth/api-keys'
import { ENDPOINTS } from '@/lib/api/endpoints'
import { defaultStatus, fillPath } from '@/lib/http/endpoint'
import { API_DIR, API_ROUTES, openapiPath } from '@/lib/testing/routes'
import type { TSessionUser } from '@/lib/auth/session'

// Every example request in the OpenAPI document (an endpoint's `example`)
// answers as documented: with the endpoint's success status, and (checked by
// the route wrapper outside production) an answer matching its schema.

let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => signedIn,
}))

type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
let key = ''

beforeAll(async () => {
  await useTestServices('api_examples')
  const made = await createOrgWithAdmin({ org_name: 'Examples Co', email: 'admin@examples.example', password: 'password-123' })
  setTestDefaultOrg(made.org.id)
  signedIn = { id: made.userId, email: 'admin@examples.example', name: null }
  key = (await createTestApiKey(made.org.id, { name: 'examples', scopes: [...KEY_SCOPES] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const withExamples = ENDPOINTS.filter((e) => e.example)
const fileOf = new Map(API_ROUTES.map((r) => [openapiPath(r.path), r.file]))

describe('documented examples', () => {
  it('exist for the main endpoints', () => expect(withExamples.length).toBeGreaterThanOrEqual(8))

  it.each(withExamples.map((e) => [`${e.method} ${e.path}`, e] as const))('%s answers as documented', async (_, e) => {
    const ex = e.example!
    const qs = new URLSearchParams(ex.query ?? {}).toString()
    const url = `http://localhost${fillPath(e.path, ex.params ?? {})}${qs ? `?${qs}` : ''}`
    const headers: Record<string, string> = { origin: 'http://localhost' }
    if (e.scope) headers.authorization = `Bearer ${key}`
    const body = ex.body === undefined ? undefined : JSON.stringify(ex.body)
    if (body !== undefined) headers['content-type'] = 'application/json'
    const mod = (await import(path.join(API_DIR, path.relative(API_DIR, fileOf.get(e.path)!)))) as Record<string, THandler>
    const res = await mod[e.method](new Request(url, { method: e.method, headers, body }), { params: Promise.resolve(ex.params ?? {}) })
    const text = await res.text()
    // the success status, or a documented answer with its own schema (decide's 404 no_policy carries the default)
    const documented = [defaultStatus(e), ...Object.keys(e.errorAnswers ?? {}).map(Number)]
    expect(documented, text.slice(0, 500)).toContain(res.status)
  })
})
