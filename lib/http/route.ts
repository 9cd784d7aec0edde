import 'server-only'
import type { z } from 'zod'
import { AppError, badRequest, errorToResponse, forbidden, unauthorized } from '@/lib/errors'
import { bodyEncoding, compressedLimit, gunzipLimited, parseJsonBytes, readLimited } from '@/lib/http/body'
import type { TKeyScope } from '@/lib/auth/api-keys'
import { keyFromAuthorization } from '@/lib/http/fast'
import { clientAddress } from '@/lib/http/client-address'
import { sessionUser } from '@/lib/auth/session'
import { membershipBySlug, membershipsOf } from '@/lib/orgs'
import { can, type TPermission } from '@/lib/auth/permissions'
import { parseOrThrow, unstorableText, unstorableTextLines } from '@/lib/validation'
import { asOrg } from '@/lib/db'
import { assertSameOrigin, isMutation } from '@/lib/http/origin'
import { env } from '@/lib/env'
import type { Role } from '@/generated/prisma/enums'
import { asActor, type TActor } from '@/lib/audit/actor'
import { defaultStatus, type TEndpointSpec, type THandlerResult, type TJsonBody } from '@/lib/http/endpoint'
import { answerProblem, checkingAnswers } from '@/lib/http/contract-check'
import { withRequestId } from '@/lib/http/with-request-id'
import { log, logUnexpected } from '@/lib/log'

// The one wrapper for API routes: authentication (API key or session), tenant
// resolution, permission check, the same-origin check of session changes
// (lib/http/origin.ts), query parsing and error mapping.

export type TOrgContext = {
  orgId: string
  via: 'api_key' | 'session'
  role: Role | null // null for API keys
  /** an API key's scopes; empty for sessions */
  scopes: readonly string[]
  userId: string | null
  defaultEnvironment: string | null
  /** The organization's ingest limit (events/s), when set; API keys only. */
  ingestRateLimit: number | null
  /** who is acting, for the audit log: the session's user, or the API key (its name is read when an entry is written) */
  actor: TActor
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } })
}

export function errorResponse(e: unknown): Response {
  const r = errorToResponse(e, logUnexpected)
  return json(r.body, r.status, r.headers)
}

async function resolveOrg(req: Request, scope: TKeyScope | undefined, permission: TPermission | null): Promise<TOrgContext> {
  const auth = req.headers.get('authorization')
  if (auth) {
    const key = await keyFromAuthorization(auth, scope, clientAddress(req.headers))
    return {
      orgId: key.orgId,
      via: 'api_key',
      role: null,
      scopes: key.scopes,
      userId: null,
      defaultEnvironment: key.defaultEnvironment,
      ingestRateLimit: key.ingestRateLimit,
      actor: { type: 'api_key', id: key.keyId, label: null },
    }
  }
  if (!permission) throw unauthorized(`Send "Authorization: Bearer <api key>" with the "${scope}" scope`)
  const user = await sessionUser()
  if (!user) throw unauthorized(scope ? 'Send "Authorization: Bearer <api key>" or sign in' : 'Sign in first')
  // The session cookie rides along on any site's request: a change must come from our own pages (CSRF).
  if (isMutation(req.method)) assertSameOrigin(req, env().NEXTAUTH_URL)
  const slug = new URL(req.url).searchParams.get('org')
  // A slug PostgreSQL cannot hold (a NUL, an unpaired surrogate) names no organization: answered as any unknown slug,
  // without the lookup it would fail (a 500). Read before the declared inputs, so their check has not run yet.
  if (slug !== null && unstorableText(slug)) throw forbidden('You are not a member of this organization')
  let membership = slug ? await membershipBySlug(user.id, slug) : null
  if (!slug) {
    const all = await membershipsOf(user.id)
    if (all.length === 1) membership = all[0]
    else throw badRequest('Add ?org=<organization slug>: you belong to several organizations')
  }
  if (!membership) throw forbidden('You are not a member of this organization')
  if (!can(membership.role, permission)) throw forbidden(`Your role (${membership.role}) does not allow ${permission}`)
  return {
    orgId: membership.org.id,
    via: 'session',
    role: membership.role,
    scopes: [],
    userId: user.id,
    defaultEnvironment: null,
    ingestRateLimit: null,
    actor: { type: 'user', id: user.id, label: user.email },
  }
}

/**
 * A second permission inside a handler, for what one route does beyond its declared
 * `permission` (e.g. the CSV form of a report needs `exports.read`). A session member's
 * role must hold it; an API key already passed its scope.
 */
export function requirePermission(org: TOrgContext, permission: TPermission): void {
  if (org.via === 'session' && (!org.role || !can(org.role, permission))) throw forbidden(`Your role (${org.role}) does not allow ${permission}`)
}

/** A success answer with another status than the endpoint's default, or headers of its own. */
export class Reply<T = unknown> {
  constructor(
    readonly status: number,
    readonly data: T,
    readonly headers?: Record<string, string>,
  ) {}
}
export const reply = <T>(status: number, data: T, headers?: Record<string, string>) => new Reply(status, data, headers)

type TEndpointContext<E extends TEndpointSpec> = {
  req: Request
  org: TOrgContext
  params: E['params'] extends z.ZodObject ? z.output<E['params']> : Record<string, never>
  query: E['query'] extends z.ZodType ? z.output<E['query']> : Record<string, never>
  body: E['body'] extends TJsonBody<infer S> ? (E['body'] extends { validate: 'handler' } ? unknown : z.output<S>) : undefined
}
type TEndpointHandler<E extends TEndpointSpec> = (ctx: TEndpointContext<E>) => Promise<THandlerResult<E> | Reply<THandlerResult<E>> | Response>
type TRouteHandler = (req: Request, routeCtx?: { params?: Promise<Record<string, string>> }) => Promise<Response>
/** A route handler that carries its declaration (the contract test and the OpenAPI document read it). */
export type TDeclaredRoute<E extends TEndpointSpec = TEndpointSpec> = TRouteHandler & { endpoint: E }

/** Parse the declared inputs of a request: path parameters, query string (without ?org), JSON body. */
async function inputsOf(spec: TEndpointSpec, req: Request, rawParams: Record<string, string>) {
  // Text PostgreSQL cannot hold (NUL, unpaired surrogates) is refused by name before any schema or query sees it: it
  // failed reads with a 500 and poisoned writes. The ingest handlers ('handler') check each item themselves.
  const storable = (raw: unknown, root: string, message: string) => {
    const errors = unstorableTextLines(raw, root)
    if (errors.length) throw badRequest(message, { errors })
  }
  storable(rawParams, '(path)', 'Invalid path parameters')
  const params = spec.params ? parseOrThrow(spec.params, rawParams, 'Invalid path parameters') : {}
  let query: unknown = {}
  if (spec.query) {
    const raw = Object.fromEntries(new URL(req.url).searchParams)
    delete raw.org
    storable(raw, '(query)', 'Invalid query parameters')
    query = parseOrThrow(spec.query, raw, 'Invalid query parameters')
  }
  let body: unknown
  if (spec.body && 'schema' in spec.body) {
    const absent = spec.body.optional && !req.headers.get('content-type') && !Number(req.headers.get('content-length') ?? 0)
    const raw = absent ? {} : await readJson(req, spec.body.maxBytes)
    if (spec.body.validate !== 'handler') storable(raw, '(body)', spec.body.message ?? 'Invalid request body')
    body = spec.body.validate === 'handler' ? raw : parseOrThrow(spec.body.schema, raw, spec.body.message ?? 'Invalid request body')
  }
  return { params, query, body }
}

/** The handler's result as a Response: JSON with the endpoint's default status, a Reply's status and headers, or a Response as it is. */
function answerOf(spec: TEndpointSpec, result: unknown): Response {
  if (result instanceof Response) return result
  if (result instanceof Reply)
    return result.status === 204 ? new Response(null, { status: 204, headers: result.headers }) : json(result.data, result.status, result.headers)
  const status = defaultStatus(spec)
  return status === 204 ? new Response(null, { status }) : json(result, status)
}

/** Outside production (and in the end-to-end server): an answer that breaks the declaration becomes a 500 that says how. */
async function checked(spec: TEndpointSpec, res: Response): Promise<Response> {
  if (!checkingAnswers()) return res
  const contentType = res.headers.get('content-type')
  const body = /^application\/json\b/i.test(contentType ?? '') ? await res.clone().json() : null
  const problem = answerProblem(spec, res.status, contentType, body)
  if (!problem) return res
  log({ component: 'contract' }).error({ endpoint: `${spec.method} ${spec.path}`, status: res.status, problem }, 'an answer does not match its declaration')
  return json({ error: { code: 'internal', message: `The answer does not match its declared schema: ${problem}` } }, 500)
}

/**
 * The one wrapper for /api/v1 routes: authentication (API key or session), tenant
 * resolution, permission check, the same-origin check of session changes
 * (lib/http/origin.ts), parsing of the declared path parameters, query and body,
 * and the answer (checked against its declaration outside production).
 */
export function withOrg<E extends TEndpointSpec>(spec: E, handler: TEndpointHandler<E>): TDeclaredRoute<E>
export function withOrg(spec: TEndpointSpec, h: unknown): TRouteHandler {
  const handler = h as (ctx: unknown) => Promise<unknown>
  if (spec.permission === 'public') throw new Error(`${spec.method} ${spec.path} is public: serve it with publicEndpoint()`)
  const permission = spec.permission
  // x-request-id on the answer, request_id on the log lines (lib/http/request-id.ts)
  const route = withRequestId(async (req: Request, routeCtx?: { params?: Promise<Record<string, string>> }): Promise<Response> => {
    let res: Response
    try {
      const org = await resolveOrg(req, spec.scope, permission)
      const rawParams = (await routeCtx?.params) ?? {}
      res = await asOrg(org.orgId, () =>
        asActor(org.actor, async () => {
          const inputs = await inputsOf(spec, req, rawParams)
          return answerOf(spec, await handler({ req, org, ...inputs }))
        }),
      )
    } catch (e) {
      res = errorResponse(e)
    }
    return checked(spec, res)
  })
  return Object.assign(route, { endpoint: spec })
}

/** An endpoint without authentication (the OpenAPI document itself): parsing and the answer's check, as withOrg. */
export function publicEndpoint<E extends TEndpointSpec>(
  spec: E,
  handler: (ctx: Omit<TEndpointContext<E>, 'org'>) => Promise<THandlerResult<E> | Reply | Response>,
): TDeclaredRoute<E> {
  const route = async (req: Request, routeCtx?: { params?: Promise<Record<string, string>> }): Promise<Response> => {
    let res: Response
    try {
      const inputs = await inputsOf(spec, req, (await routeCtx?.params) ?? {})
      res = answerOf(spec, await handler({ req, ...(inputs as Omit<TEndpointContext<E>, 'org' | 'req'>) }))
    } catch (e) {
      res = errorResponse(e)
    }
    return checked(spec, res)
  }
  return Object.assign(route, { endpoint: spec })
}

/** Read a JSON body (optionally gzip) with a byte limit, decompressed; specific errors for size, type, encoding and syntax. */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const ct = req.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(ct)) throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json')
  const encoding = bodyEncoding(req.headers.get('content-encoding'))
  const wireLimit = encoding ? compressedLimit(maxBytes) : maxBytes
  const declared = Number(req.headers.get('content-length') ?? '0')
  if (declared > wireLimit) throw new AppError('payload_too_large', 413, `Body is ${declared} bytes; the limit is ${maxBytes} bytes`)
  const raw = await readLimited(req, wireLimit, maxBytes)
  return parseJsonBytes(encoding ? await gunzipLimited(raw, maxBytes) : raw)
}
