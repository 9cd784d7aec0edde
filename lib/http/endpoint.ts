import type { z } from 'zod'
import type { TKeyScope } from '@/lib/auth/keys-schema'
import type { TPermission } from '@/lib/auth/permissions'

// An endpoint's declared contract: path, who may call it, and the schemas of its
// path parameters, query string, body and answers. Declared once beside the
// capability (lib/<capability>/api.ts); the route wrapper (lib/http/route.ts)
// validates with it, the OpenAPI document (lib/api/openapi.ts) is generated from
// it, and the components' typed requests (lib/api/client.ts) are derived from it.
// Client-safe: zod and types only.

export type THttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A JSON body, parsed and validated by the wrapper before the handler runs. */
export type TJsonBody<S extends z.ZodType = z.ZodType> = {
  schema: S
  /** the body's byte limit (413 past it) */
  maxBytes: number
  /** the 400's message when the body does not match ("Invalid budget"); details list "field: reason" */
  message?: string
  /**
   * 'handler': the wrapper reads and parses the JSON but the handler validates it itself, because it
   * keeps the valid part of a partly invalid body (ingest). The schema still documents the body.
   */
  validate?: 'wrapper' | 'handler'
  /** the body may be left out (no Content-Type, no bytes): it is then read as {} */
  optional?: boolean
}

/** A body that is not JSON (a CSV upload, OTLP protobuf): the handler reads it (readLimited) with this limit. */
export type TRawBody = {
  raw: { contentTypes: readonly string[]; maxBytes: number; description: string }
}

export type TAnswer<S extends z.ZodType = z.ZodType> = {
  description: string
  /** the JSON answer; omitted for 204 */
  schema?: S
  /** other representations of the same answer (e.g. text/csv with ?format=csv), returned by the handler as a Response */
  alternates?: readonly { contentType: string; description: string }[]
  /** response headers worth documenting */
  headers?: Readonly<Record<string, string>>
}

export type TEndpointSpec = {
  method: THttpMethod
  /** OpenAPI form: /api/v1/budgets/{id} */
  path: string
  summary: string
  description?: string
  /** the OpenAPI tag (the capability) */
  tag: string
  /** the API key scope that grants access; omit for session-only endpoints */
  scope?: TKeyScope
  /** the permission a signed-in member needs; null: API keys only; 'public': no authentication */
  permission: TPermission | null | 'public'
  params?: z.ZodObject
  query?: z.ZodType
  body?: TJsonBody | TRawBody
  /** success answers by status; a handler's plain return value is sent with the lowest */
  responses: Readonly<Partial<Record<200 | 201 | 202 | 204 | 207, TAnswer>>>
  /** error statuses beyond those derived from the declaration (401/403/429 for authenticated endpoints, 400 with any input, 404 with path parameters, 413/415 with a body) */
  errors?: readonly (400 | 404 | 409 | 410 | 413 | 422 | 429 | 502 | 503 | 504)[]
  /**
   * Error statuses whose body is the Error shape with more fields (decide's 404 `no_policy` also carries the
   * default answer): the schema is the whole body and must have Error's `error` field. Documented like `errors`.
   */
  errorAnswers?: Readonly<Partial<Record<400 | 404 | 409 | 422 | 429, TAnswer>>>
  /** the shape of every error answer when it is not Outlay's Error (the gateway answers in the provider's own error shape) */
  errorSchema?: z.ZodType
  /** an example request, shown in the reference and replayed by app/api/v1/examples.integration.test.ts (path parameters only where the example needs no existing resource) */
  example?: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown }
}

/** Declare an endpoint (identity at run time; keeps the literal types for the wrapper and the client). */
export function endpoint<const E extends TEndpointSpec>(spec: E): E {
  return spec
}

type TSuccess<E extends TEndpointSpec> = E['responses'][keyof E['responses']]
type TSchemaOf<A> = A extends { schema: infer S extends z.ZodType } ? S : never

/** The answer's JSON as the handler may produce it: `Date` where the wire has an ISO string. */
export type TSerializable<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? TSerializable<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: TSerializable<T[K]> }
      : T

/** What a handler returns for endpoint E: the JSON of one of its success answers (or undefined for 204). */
export type THandlerResult<E extends TEndpointSpec> = TSchemaOf<TSuccess<E>> extends never ? undefined : TSerializable<z.input<TSchemaOf<TSuccess<E>>>>

/** The answer a client receives from endpoint E (its lowest success status). */
export type TResponseOf<E extends TEndpointSpec> = z.output<TSchemaOf<TSuccess<E>>>
export type TQueryOf<E extends TEndpointSpec> = E['query'] extends z.ZodType ? z.input<E['query']> : Record<string, never>
export type TParamsOf<E extends TEndpointSpec> = E['params'] extends z.ZodObject ? z.input<E['params']> : Record<string, never>
export type TBodyOf<E extends TEndpointSpec> = E['body'] extends TJsonBody<infer S> ? z.input<S> : never

/** The statuses an endpoint may answer with an error, derived from its declaration. */
export function errorStatuses(spec: TEndpointSpec): number[] {
  const s = new Set<number>(spec.errors ?? [])
  for (const status of Object.keys(spec.errorAnswers ?? {})) s.add(Number(status))
  if (spec.permission !== 'public') [401, 403, 429].forEach((x) => s.add(x))
  if (spec.params || spec.query || spec.body) s.add(400)
  if (spec.params) s.add(404)
  if (spec.body) [413, 415].forEach((x) => s.add(x))
  return [...s].sort((a, b) => a - b)
}

/** The lowest success status of an endpoint: the one a plain return value is sent with. */
export function defaultStatus(spec: TEndpointSpec): number {
  return Math.min(...Object.keys(spec.responses).map(Number))
}

/** Fill an OpenAPI path template ({id}) with values, each encoded. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k]
    if (v === undefined) throw new Error(`path parameter ${k} is missing for ${path}`)
    return encodeURIComponent(String(v))
  })
}
