import fc from 'fast-check'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

// A property-based fuzzer driven by an OpenAPI 3.1 document alone (no knowledge
// of the code): for each operation it builds requests from the declared
// parameters and body — some valid, some broken in the ways clients break them
// (wrong types, missing or unknown fields, bad JSON, wrong content type, junk
// in the path) — sends them, and checks the two promises of the document:
// no answer is a 5xx, and every answer has a documented status and matches
// that status's schema. fast-check shrinks a failure to a small request.
// Used in-process by app/api/v1/fuzz.integration.test.ts and over HTTP by
// scripts/fuzz-api.ts (black-box, against a running server).

type TSchema = Record<string, unknown> & {
  type?: string | string[]
  properties?: Record<string, TSchema>
  required?: string[]
  items?: TSchema
  anyOf?: TSchema[]
  oneOf?: TSchema[]
  allOf?: TSchema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  $ref?: string
  additionalProperties?: boolean | TSchema
}
type TParameter = { name: string; in: 'query' | 'path'; required: boolean; schema: TSchema }
type TOperation = {
  operationId: string
  parameters?: TParameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema: TSchema }> }
  responses: Record<string, { content?: Record<string, { schema: TSchema }> }>
  security?: Record<string, string[]>[]
}
export type TOpenApi = { paths: Record<string, Record<string, TOperation>>; components?: { schemas?: Record<string, TSchema> } }

export type TFuzzRequest = {
  method: string
  path: string
  pathTemplate: string
  params: Record<string, string>
  query: Record<string, string>
  headers: Record<string, string>
  body?: string
}
export type TFuzzAnswer = { status: number; contentType: string | null; body: string }
export type TFuzzFailure = { operation: string; request: TFuzzRequest; status: number; problem: string }

// ─── values from schemas ────────────────────────────────────────────────────────

const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed()

const junkString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    'null',
    'true',
    '1e309',
    'NaN',
    '../../etc/passwd',
    '%00',
    // text PostgreSQL cannot store: a NUL and unpaired surrogates (a 500 on reads, a poisoned batch on writes)
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00',
    // dates at the edges of the calendar: PostgreSQL has no year 0
    '0000-01-01T00:00:00Z',
    '0001-01-01',
    '9999-12-31T00:00:00Z',
    "' OR 1=1 --",
    '<script>',
    '💸',
    'a'.repeat(300),
    '2026-13-45',
    '00000000-0000-0000-0000-000000000000',
  ),
)

function stringOf(s: TSchema): fc.Arbitrary<string> {
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
  if (s.format === 'date')
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
  if (s.format === 'uuid') return fc.uuid()
  if (s.format === 'email') return fc.emailAddress()
  if (s.format === 'uri' || s.format === 'url') return fc.webUrl()
  const min = s.minLength ?? 0
  const max = Math.max(min, Math.min(s.maxLength ?? 24, 64))
  // a value of the allowed length holding text PostgreSQL cannot store (a NUL, an unpaired surrogate); built to fit,
  // not filtered (a filter that no value passes makes fast-check try forever)
  const hostile = max < 1 ? [] : ['\u0000', '\ud800'].map((c) => (c + 'x'.repeat(Math.max(0, min - 1))).slice(0, max))
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((x) => x.length >= min && x.length <= max) },
    ...(hostile.length ? [{ weight: 1, arbitrary: fc.constantFrom(...hostile) }] : []),
  )
}

function numberOf(s: TSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000)
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000)
  const min = Math.max(lo, -1e9)
  const max = Math.min(Math.max(hi, min), 1e9)
  return integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
}

/** Values that satisfy the schema (as far as a generator can without solving patterns). */
// biome-ignore lint/suspicious/noShadowRestrictedNames: a module-level function, not Object.prototype.valueOf
export function valueOf(s: TSchema, depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum) return fc.constantFrom(...s.enum)
  const alts = s.anyOf ?? s.oneOf
  if (alts?.length) return fc.oneof(...alts.map((a) => valueOf(a, depth + 1)))
  if (s.allOf?.length) return valueOf(Object.assign({}, ...s.allOf) as TSchema, depth + 1)
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : []
  if (types.length > 1) return fc.oneof(...types.map((t) => valueOf({ ...s, type: t }, depth + 1)))
  switch (types[0]) {
    case 'string':
      return stringOf(s)
    case 'integer':
      return numberOf(s, true)
    case 'number':
      return numberOf(s, false)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      if (depth > 4) return fc.constant([])
      return fc.array(s.items ? valueOf(s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(Math.max(s.maxItems ?? 3, s.minItems ?? 0), 3),
      })
    }
    case 'object': {
      if (depth > 4 || !s.properties) return fc.constant({})
      const required = new Set(s.required ?? [])
      const entries = Object.entries(s.properties).map(([k, p]) => [k, valueOf(p, depth + 1)] as const)
      return fc.record(Object.fromEntries(entries), { requiredKeys: [...required].filter((k) => k in s.properties!) })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** A value that breaks the schema in one of the usual ways, or any JSON at all. */
function brokenValueOf(s: TSchema): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant([]), fc.constant({}), fc.double())
  if (s.type === 'object' && s.properties) {
    const keys = Object.keys(s.properties)
    return fc.oneof(
      // one field of the wrong type
      fc.tuple(valueOf(s) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...keys), wrong).map(([v, k, w]) => ({ ...v, [k]: w })),
      // a required field missing
      ...(s.required?.length
        ? [
            fc.tuple(valueOf(s) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...s.required)).map(([v, k]) => {
              const c = { ...v }
              delete c[k]
              return c
            }),
          ]
        : []),
      // an unknown field
      fc
        .tuple(valueOf(s) as fc.Arbitrary<Record<string, unknown>>, fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }))
        .map(([v, k, x]) => ({ ...v, [`zz_${k}`]: x })),
      fc.jsonValue({ maxDepth: 3 }),
    )
  }
  return fc.oneof(wrong, fc.jsonValue({ maxDepth: 2 }))
}

const asQueryValue = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join(',') : v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)

// ─── requests ───────────────────────────────────────────────────────────────────

function requestsFor(path: string, method: string, op: TOperation, auth: (op: TOperation) => Record<string, string>): fc.Arbitrary<TFuzzRequest> {
  const params = (op.parameters ?? []).filter((p) => p.name !== 'org')
  const pathParams = params.filter((p) => p.in === 'path')
  const queryParams = params.filter((p) => p.in === 'query')
  const pathArb = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [p.name, fc.oneof({ weight: 3, arbitrary: valueOf(p.schema).map(asQueryValue) }, { weight: 1, arbitrary: junkString })]),
    ),
  )
  const queryArb = fc.record(
    Object.fromEntries(
      queryParams.map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: valueOf(p.schema).map(asQueryValue) }, { weight: 1, arbitrary: junkString })]),
    ),
    { requiredKeys: [] },
  )
  const extraQuery = fc.option(fc.tuple(fc.constantFrom('zz_unknown', 'limit', 'from', 'to', 'format'), junkString), { freq: 4 })
  const json = op.requestBody?.content['application/json']
  const otherTypes = Object.keys(op.requestBody?.content ?? {}).filter((c) => c !== 'application/json')
  const bodyArb: fc.Arbitrary<{ body?: string; contentType?: string }> = json
    ? fc.oneof(
        { weight: 5, arbitrary: valueOf(json.schema).map((v) => ({ body: JSON.stringify(v), contentType: 'application/json' })) },
        { weight: 3, arbitrary: brokenValueOf(json.schema).map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' })) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('{', '', '{"a":', '[1,2', 'null', '\u0000', '{"__proto__": {"x": 1}}')
            .map((b) => ({ body: b, contentType: 'application/json' })),
        },
        { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded').map((ct) => ({ body: 'a=1', contentType: ct })) },
        ...(op.requestBody?.required === false ? [{ weight: 1, arbitrary: fc.constant({}) }] : []),
      )
    : otherTypes.length
      ? fc.tuple(fc.constantFrom(...otherTypes), fc.string({ maxLength: 200 })).map(([ct, b]) => ({ body: b, contentType: ct }))
      : fc.constant({})
  return fc.tuple(pathArb, queryArb, extraQuery, bodyArb).map(([pp, qq, extra, b]) => {
    const query: Record<string, string> = { ...(qq as Record<string, string>) }
    if (extra) query[extra[0]] = extra[1]
    // a URL carries UTF-8 only: an unpaired surrogate goes as U+FFFD, as a browser or URLSearchParams sends it
    // (encodeURIComponent throws on one)
    const filled = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(wellFormed((pp as Record<string, string>)[k] ?? 'x')))
    return {
      method: method.toUpperCase(),
      path: filled,
      pathTemplate: path,
      params: pp as Record<string, string>,
      query,
      headers: { ...auth(op), ...(b.contentType ? { 'content-type': b.contentType } : {}) },
      ...(b.body !== undefined && method !== 'get' ? { body: b.body } : {}),
    }
  })
}

// ─── checks ─────────────────────────────────────────────────────────────────────

export function answerChecker(doc: TOpenApi) {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats.default(ajv)
  ajv.addSchema({ $id: 'components', ...(doc.components ?? {}) })
  const cache = new Map<string, ValidateFunction>()
  const rewrite = (s: unknown): unknown =>
    Array.isArray(s)
      ? s.map(rewrite)
      : s && typeof s === 'object'
        ? Object.fromEntries(
            Object.entries(s).map(([k, v]) => [
              k,
              k === '$ref' && typeof v === 'string' && v.startsWith('#/components/') ? `components#/${v.slice('#/components/'.length)}` : rewrite(v),
            ]),
          )
        : s
  return (opKey: string, op: TOperation, a: TFuzzAnswer): string | null => {
    if (a.status >= 500) return `answered ${a.status}: ${a.body.slice(0, 300)}`
    const documented = op.responses[String(a.status)] ?? op.responses.default
    if (!documented) return `status ${a.status} is not documented (documented: ${Object.keys(op.responses).join(', ')}): ${a.body.slice(0, 200)}`
    const schema = documented.content?.['application/json']?.schema
    if (!schema) return null
    if (!/^application\/json\b/i.test(a.contentType ?? '')) {
      const other = Object.keys(documented.content ?? {}).some((ct) => (a.contentType ?? '').startsWith(ct))
      return other ? null : `status ${a.status}: content type ${a.contentType} is not documented`
    }
    let body: unknown
    try {
      body = JSON.parse(a.body)
    } catch {
      return `status ${a.status}: the body is not JSON`
    }
    const key = `${opKey} ${a.status}`
    let validate = cache.get(key)
    if (!validate) cache.set(key, (validate = ajv.compile(rewrite(schema) as object)))
    if (validate(body)) return null
    return `status ${a.status} does not match its schema: ${(validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(answer)'} ${e.message}`)
      .join('; ')}`
  }
}

export type TFuzzOptions = {
  doc: TOpenApi
  send: (r: TFuzzRequest) => Promise<TFuzzAnswer>
  /** the credentials for an operation (an API key header, a session cookie …) */
  auth: (op: TOperation) => Record<string, string>
  runs: number
  seed?: number
  /** operations to leave out, as "METHOD /path" */
  skip?: (opKey: string) => boolean
  onOperation?: (opKey: string, sent: number) => void
}

/** Fuzz every operation; the failures, each shrunk to a small request. */
export async function fuzzApi(o: TFuzzOptions): Promise<{ failures: TFuzzFailure[]; requests: number; statuses: Record<string, number> }> {
  const check = answerChecker(o.doc)
  const failures: TFuzzFailure[] = []
  const statuses: Record<string, number> = {}
  let requests = 0
  for (const [path, byMethod] of Object.entries(o.doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const opKey = `${method.toUpperCase()} ${path}`
      if (o.skip?.(opKey)) continue
      let sent = 0
      const result = await fc.check(
        fc.asyncProperty(requestsFor(path, method, op, o.auth), async (req) => {
          const a = await o.send(req)
          requests++
          sent++
          statuses[a.status] = (statuses[a.status] ?? 0) + 1
          const problem = check(opKey, op, a)
          if (problem) throw Object.assign(new Error(problem), { answer: a })
        }),
        { numRuns: o.runs, seed: o.seed, endOnFailure: false },
      )
      o.onOperation?.(opKey, sent)
      if (result.failed && result.counterexample) {
        const err = result.errorInstance as Error & { answer?: TFuzzAnswer }
        failures.push({ operation: opKey, request: result.counterexample[0], status: err.answer?.status ?? 0, problem: err.message })
      }
    }
  }
  return { failures, requests, statuses }
}
