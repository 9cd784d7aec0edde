import { ERROR_CODES, ZErrorBody } from '@/lib/errors'
import { errorStatuses, type TEndpointSpec } from '@/lib/http/endpoint'
import { rolesSentence } from '@/lib/auth/permissions'
import { answerSchema, parametersOf, toJsonSchema, type TJsonSchema } from '@/lib/api/json-schema'
import { ENDPOINTS } from '@/lib/api/endpoints'

// GET /api/v1/openapi.json: the OpenAPI 3.1 document of every declared
// endpoint, generated from the schemas the route wrapper validates with
// (lib/http/endpoint.ts), so the document cannot drift from the code.

const STATUS_TEXT: Record<number, string> = {
  400: 'The request does not match the declared parameters or body: `details.errors` lists "field: reason"',
  401: 'No or invalid credentials',
  403: 'The API key lacks the scope, or the member lacks the role, or a signed-in change came from another site',
  404: 'No such resource in this organization',
  409: 'The change conflicts with the current state',
  410: 'Gone (an invitation used, revoked or expired)',
  413: 'The body is larger than the endpoint allows',
  415: 'The body is not of a content type the endpoint reads',
  422: 'The request is well formed but cannot be processed',
  429: 'Too many requests (invalid keys from this address, the ingest rate, or a budget): see Retry-After',
  502: 'The upstream could not be reached',
  503: 'A service the endpoint needs is not configured or not available',
  504: 'The upstream did not answer in time',
}

export const operationId = (spec: TEndpointSpec) =>
  spec.method.toLowerCase() +
  spec.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const p = /^\{(\w+)\}$/.exec(seg)
      const word = (p ? `by_${p[1]}` : seg).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())
      return word.charAt(0).toUpperCase() + word.slice(1)
    })
    .join('')

function access(spec: TEndpointSpec): { security: Record<string, string[]>[]; text: string } {
  if (spec.permission === 'public') return { security: [], text: 'No authentication.' }
  const security: Record<string, string[]>[] = []
  const parts: string[] = []
  if (spec.scope) {
    security.push({ apiKey: [spec.scope] })
    parts.push(`an API key with the \`${spec.scope}\` scope`)
  }
  if (spec.permission) {
    security.push({ session: [spec.permission] })
    parts.push(`a signed-in member with the ${rolesSentence(spec.permission)} role`)
  }
  return { security, text: `Who may call it: ${parts.join(', or ')}.` }
}

function operation(spec: TEndpointSpec) {
  const { security, text } = access(spec)
  const parameters: Record<string, unknown>[] = []
  if (spec.params) {
    for (const p of parametersOf(spec.params, 'path'))
      parameters.push({ ...p, ...(spec.example?.params?.[p.name] ? { example: spec.example.params[p.name] } : {}) })
  }
  if (spec.query) {
    for (const p of parametersOf(spec.query, 'query'))
      parameters.push({ ...p, ...(spec.example?.query?.[p.name] ? { example: spec.example.query[p.name] } : {}) })
  }
  if (spec.permission && spec.permission !== 'public') {
    parameters.push({
      name: 'org',
      in: 'query',
      required: false,
      schema: { type: 'string' },
      description:
        'With a signed-in session: the organization (its slug), needed when the member belongs to several. API keys belong to one organization and ignore it.',
    })
  }

  let requestBody: Record<string, unknown> | undefined
  if (spec.body && 'schema' in spec.body) {
    requestBody = {
      required: !spec.body.optional,
      description: `JSON, at most ${spec.body.maxBytes.toLocaleString('en-US')} bytes.`,
      content: {
        'application/json': { schema: toJsonSchema(spec.body.schema, 'input'), ...(spec.example?.body !== undefined ? { example: spec.example.body } : {}) },
      },
    }
  } else if (spec.body) {
    const { raw } = spec.body
    requestBody = {
      required: true,
      description: `${raw.description} At most ${raw.maxBytes.toLocaleString('en-US')} bytes.`,
      content: Object.fromEntries(raw.contentTypes.map((ct) => [ct, { schema: { type: 'string' } }])),
    }
  }

  const responses: Record<string, unknown> = {}
  for (const [status, answer] of Object.entries(spec.responses)) {
    if (!answer) continue
    const schema = answerSchema(spec, Number(status))
    const content: Record<string, unknown> = {}
    if (schema) content['application/json'] = { schema }
    for (const alt of answer.alternates ?? []) content[alt.contentType] = { schema: { type: 'string', description: alt.description } }
    responses[status] = {
      description: answer.description,
      ...(Object.keys(content).length ? { content } : {}),
      ...(answer.headers
        ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }
        : {}),
    }
  }
  for (const status of errorStatuses(spec)) {
    const own = spec.errorAnswers?.[status as keyof NonNullable<TEndpointSpec['errorAnswers']>]
    // An error with more fields than Error (decide's 404): its own schema, whose `error` is Error's.
    const schema = own?.schema
      ? {
          ...answerSchema(spec, status),
          properties: { ...(answerSchema(spec, status)?.properties as TJsonSchema), error: { $ref: '#/components/schemas/Error/properties/error' } },
        }
      : spec.errorSchema
        ? answerSchema(spec, status)
        : { $ref: '#/components/schemas/Error' }
    responses[String(status)] = {
      description: own?.description ?? STATUS_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema } },
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'string' } } } } : {}),
    }
  }

  return {
    operationId: operationId(spec),
    tags: [spec.tag],
    summary: spec.summary,
    description: [spec.description, text].filter(Boolean).join('\n\n'),
    security,
    'x-outlay-scope': spec.scope ?? null,
    'x-outlay-permission': spec.permission,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  }
}

export type TOpenApiDocument = TJsonSchema & { openapi: '3.1.0'; info: Record<string, unknown>; paths: Record<string, Record<string, unknown>> }

export function openapiDocument(endpoints: readonly TEndpointSpec[] = ENDPOINTS): TOpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const spec of endpoints) (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation(spec)
  return {
    openapi: '3.1.0' as const,
    info: {
      title: 'Outlay API',
      version: '1',
      description:
        'Measure, attribute, budget and route AI inference cost. Send events to `POST /api/v1/events`, read spend from `GET /api/v1/metrics`, ask `POST /api/v1/decide` which model to call. Every answer matches the schema documented here; every error has the shape of `Error`, with a code from a closed set.',
    },
    servers: [{ url: '/', description: 'this Outlay server' }],
    tags: [...new Set(endpoints.map((e) => e.tag))].sort().map((name) => ({ name })),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'outlay_sk_…',
          description:
            'An Outlay API key (Settings › API keys), sent as `Authorization: Bearer <key>`. Each key has scopes (ingest, read, write); an operation names the scope it needs.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'next-auth.session-token',
          description:
            'The session of a member signed in to the dashboard (`__Secure-next-auth.session-token` over HTTPS). Changes must come from Outlay’s own pages (Origin checked). The operation names the permission; roles hold permissions.',
        },
      },
      schemas: {
        Error: { ...toJsonSchema(ZErrorBody, 'output'), title: 'Error' },
        ErrorCode: { type: 'string', enum: [...ERROR_CODES] },
      },
    },
    paths,
  }
}
