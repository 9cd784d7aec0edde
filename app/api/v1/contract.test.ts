import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Validator } from '@seriousme/openapi-schema-validator'
import { API_DIR, API_ROUTES, HTTP_METHODS, openapiPath } from '@/lib/testing/routes'
import { ENDPOINTS } from '@/lib/api/endpoints'
import { openapiDocument } from '@/lib/api/openapi'
import { FAST_ROUTES } from '@/lib/http/fast-routes'
import type { TEndpointSpec } from '@/lib/http/endpoint'

// The declared contract (lib/http/endpoint.ts): every method of every /api/v1
// route is served by withOrg/publicEndpoint with an endpoint declaration whose
// method and path are the route's, listed in lib/api/endpoints.ts (so the
// OpenAPI document has it), and the document is valid OpenAPI 3.1.

/** Routes still served by the undeclared withOrg form, while they move (must end empty). */
const PENDING = new Set<string>([])

type TRoute = ((...a: unknown[]) => unknown) & { endpoint?: TEndpointSpec }

async function methodsOf(file: string): Promise<{ method: string; handler: TRoute }[]> {
  const mod = (await import(path.join(API_DIR, path.relative(API_DIR, file)))) as Record<string, TRoute>
  return HTTP_METHODS.filter((m) => typeof mod[m] === 'function').map((m) => ({ method: m, handler: mod[m] }))
}

describe('every /api/v1 route declares its contract', () => {
  it('each route method carries an endpoint declaration of its own method and path, listed for the OpenAPI document', async () => {
    const problems: string[] = []
    const declared: string[] = []
    for (const route of API_ROUTES) {
      for (const { method, handler } of await methodsOf(route.file)) {
        const id = `${method} ${route.path}`
        const spec = handler.endpoint
        if (!spec) {
          if (!PENDING.has(id)) problems.push(`${id}: serve it with withOrg(endpoint, handler) and declare the endpoint in lib/<capability>/api.ts`)
          continue
        }
        if (PENDING.has(id)) problems.push(`${id} is declared now: remove it from PENDING in app/api/v1/contract.test.ts`)
        declared.push(id)
        if (spec.method !== method) problems.push(`${id}: its declaration says ${spec.method}`)
        if (spec.path !== openapiPath(route.path)) problems.push(`${id}: its declaration's path is ${spec.path}, not ${openapiPath(route.path)}`)
        if (!ENDPOINTS.includes(spec)) problems.push(`${id}: add its module to lib/api/endpoints.ts`)
        const pathParams = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
        const declaredParams = spec.params ? Object.keys(spec.params.shape).sort() : []
        if (pathParams.join() !== declaredParams.join())
          problems.push(`${id}: path parameters ${pathParams.join(', ') || '(none)'} but params declares ${declaredParams.join(', ') || '(none)'}`)
        for (const [status, answer] of Object.entries(spec.responses)) {
          if (status !== '204' && answer && !answer.schema && !answer.alternates?.length) problems.push(`${id}: answer ${status} has no schema`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(declared.length + PENDING.size).toBeGreaterThan(60)
  }, 60_000)

  it('every declared endpoint is served by a route', async () => {
    const served = new Set<TEndpointSpec>()
    for (const route of API_ROUTES) for (const { handler } of await methodsOf(route.file)) if (handler.endpoint) served.add(handler.endpoint)
    expect(ENDPOINTS.filter((e) => !served.has(e)).map((e) => `${e.method} ${e.path}`)).toEqual([])
  }, 60_000)

  it('the fast paths take the body limit their endpoints declare', () => {
    for (const [p, fast] of FAST_ROUTES) {
      const spec = ENDPOINTS.find((e) => e.path === p && e.method === 'POST')
      if (!spec) continue // still pending
      expect(spec.body && 'schema' in spec.body ? spec.body.maxBytes : null, p).toBe(fast.maxBytes)
    }
  })
})

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(openapiDocument() as Parameters<Validator['validate']>[0])
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('has one operation per declared endpoint, with unique operation ids and the error shape', () => {
    const doc = openapiDocument()
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p)) as { operationId: string; responses: Record<string, unknown> }[]
    expect(ops).toHaveLength(ENDPOINTS.length)
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length)
    const own = new Set(ENDPOINTS.filter((e) => e.errorSchema).map((e) => e.path))
    for (const [p, byMethod] of Object.entries(doc.paths)) {
      if (own.has(p)) continue // the gateway's provider-shaped errors
      for (const op of Object.values(byMethod) as { responses: Record<string, unknown> }[]) {
        for (const [status, r] of Object.entries(op.responses)) if (Number(status) >= 400) expect(JSON.stringify(r)).toContain('#/components/schemas/Error')
      }
    }
  })
})
