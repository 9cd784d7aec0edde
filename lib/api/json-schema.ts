import { z } from 'zod'
import { ZErrorBody } from '@/lib/errors'
import type { TEndpointSpec } from '@/lib/http/endpoint'

// JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of an endpoint's
// inputs and answers, from its zod schemas (zod 4's own converter). Requests
// are described as the client sends them (the schema's input side), answers
// as they go on the wire (the output side, which for our answer schemas —
// plain JSON shapes, no transforms — is the same). Schemas are inlined: no
// `$defs` that would point into the wrong document once embedded in OpenAPI.

export type TJsonSchema = Record<string, unknown>

export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): TJsonSchema {
  const s = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline', cycles: 'throw' }) as TJsonSchema
  delete s.$schema
  return s
}

/** The schema of the answer with this status (a success's declared schema, or the error shape); null when it has no body. */
export function answerSchema(spec: TEndpointSpec, status: number): TJsonSchema | null {
  if (status >= 400) {
    const own = spec.errorAnswers?.[status as keyof NonNullable<TEndpointSpec['errorAnswers']>]?.schema
    return toJsonSchema(own ?? spec.errorSchema ?? ZErrorBody, 'output')
  }
  const answer = spec.responses[status as keyof TEndpointSpec['responses']]
  return answer?.schema ? toJsonSchema(answer.schema, 'output') : null
}

export type TParameter = { name: string; in: 'query' | 'path'; required: boolean; schema: TJsonSchema; description?: string }

/** The query string's or path's fields as OpenAPI parameters (the object schema's properties). */
export function parametersOf(schema: z.ZodType, where: 'query' | 'path'): TParameter[] {
  const s = toJsonSchema(schema, 'input')
  const props = (s.properties ?? {}) as Record<string, TJsonSchema>
  const required = new Set((s.required as string[] | undefined) ?? [])
  return Object.entries(props).map(([name, p]) => {
    const { description, ...rest } = p
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    }
  })
}
