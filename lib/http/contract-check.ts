import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { answerSchema } from '@/lib/api/json-schema'
import { defaultStatus, errorStatuses, type TEndpointSpec } from '@/lib/http/endpoint'
import { env } from '@/lib/env'

// Every answer checked against what the OpenAPI document says of it: its status
// is one the endpoint documents, and its JSON matches that status's schema
// (unknown fields included: the document's objects are closed). On outside
// production and in the end-to-end server (OUTLAY_VALIDATE_RESPONSES), so a
// handler that drifts from its declaration fails its tests, not a client.

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true })
addFormats.default(ajv)
const compiled = new WeakMap<TEndpointSpec, Map<number, ValidateFunction | null>>()

export function checkingAnswers(): boolean {
  const e = env()
  return e.OUTLAY_VALIDATE_RESPONSES ? e.OUTLAY_VALIDATE_RESPONSES === 'true' : e.NODE_ENV !== 'production'
}

function validatorFor(spec: TEndpointSpec, status: number): ValidateFunction | null {
  let bySpec = compiled.get(spec)
  if (!bySpec) compiled.set(spec, (bySpec = new Map()))
  if (!bySpec.has(status)) {
    const schema = answerSchema(spec, status)
    bySpec.set(status, schema ? ajv.compile(schema) : null)
  }
  return bySpec.get(status) ?? null
}

/** Why this answer breaks the endpoint's contract; null when it keeps it. */
export function answerProblem(spec: TEndpointSpec, status: number, contentType: string | null, body: unknown): string | null {
  const successes = Object.keys(spec.responses).map(Number)
  if (!successes.includes(status) && !errorStatuses(spec).includes(status)) {
    return `status ${status} is not documented for ${spec.method} ${spec.path} (documented: ${[...successes, ...errorStatuses(spec)].join(', ')})`
  }
  const declared = status < 400 ? spec.responses[status as keyof TEndpointSpec['responses']] : undefined
  if (status === 204) return null
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    const alternates = declared?.alternates?.map((a) => a.contentType) ?? []
    return alternates.some((a) => (contentType ?? '').startsWith(a)) ? null : `content type ${contentType ?? '(none)'} is not documented for status ${status}`
  }
  const validate = validatorFor(spec, status)
  if (!validate) return status < 400 && declared && !declared.schema ? `status ${status} is documented without a body` : null
  if (validate(body)) return null
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '(answer)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`)
    .join('; ')
}

export { defaultStatus }
