import type { ReactNode } from 'react'

// A JSON Schema (draft 2020-12, as zod writes it) shown as the fields a reader
// fills in or gets back: name, type, required, description, allowed values —
// nested objects and arrays indented under their field. No JavaScript needed.

type TSchema = {
  type?: string | string[]
  properties?: Record<string, TSchema>
  required?: string[]
  items?: TSchema
  anyOf?: TSchema[]
  oneOf?: TSchema[]
  enum?: unknown[]
  const?: unknown
  description?: string
  default?: unknown
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  additionalProperties?: boolean | TSchema
  $ref?: string
}

/** "string", "integer | null", "array of object", "one of: a, b" … */
export function typeLabel(s: TSchema): string {
  if (s.$ref) return s.$ref.split('/').pop() ?? 'object'
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alts = s.anyOf ?? s.oneOf
  if (alts) return alts.map(typeLabel).join(' | ')
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type
  if (t === 'array' && s.items) return `array of ${typeLabel(s.items)}`
  if (t === 'string' && s.format) return `string (${s.format})`
  if (t === 'object' && !s.properties && s.additionalProperties && typeof s.additionalProperties === 'object')
    return `map of ${typeLabel(s.additionalProperties)}`
  return t ?? 'any'
}

function limits(s: TSchema): string | null {
  const parts: string[] = []
  if (s.minimum !== undefined && s.minimum > -9007199254740991) parts.push(`≥ ${s.minimum}`)
  if (s.maximum !== undefined && s.maximum < 9007199254740991) parts.push(`≤ ${s.maximum}`)
  if (s.minLength !== undefined && s.minLength > 0) parts.push(`at least ${s.minLength} characters`)
  if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`)
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`)
  return parts.length ? parts.join(', ') : null
}

/** The object that holds the fields: the schema itself, its array's items, or the object among its alternatives. */
function fieldsOf(s: TSchema): TSchema | null {
  if (s.properties) return s
  if (s.items) return fieldsOf(s.items)
  for (const alt of s.anyOf ?? s.oneOf ?? []) {
    const f = fieldsOf(alt)
    if (f) return f
  }
  return null
}

export function SchemaFields({ schema, depth = 0 }: { schema: TSchema; depth?: number }): ReactNode {
  const obj = fieldsOf(schema)
  if (!obj?.properties)
    return (
      <p className="text-sm text-slate-600">
        {typeLabel(schema)}
        {schema.description ? ` — ${schema.description}` : ''}
      </p>
    )
  const required = new Set(obj.required ?? [])
  return (
    <ul className={depth ? 'ml-4 border-l border-slate-200 pl-3' : ''}>
      {Object.entries(obj.properties).map(([name, p]) => {
        const nested = depth < 4 ? fieldsOf(p) : null
        const lim = limits(p)
        return (
          <li key={name} className="py-1 text-sm">
            <code className="font-semibold text-slate-900">{name}</code> <span className="text-slate-500">{typeLabel(p)}</span>
            {required.has(name) ? <span className="ml-1 text-xs font-medium text-rose-700">required</span> : null}
            {p.description ? <span className="text-slate-700"> — {p.description}</span> : null}
            {lim ? <span className="text-slate-500"> ({lim})</span> : null}
            {nested ? <SchemaFields schema={p} depth={depth + 1} /> : null}
          </li>
        )
      })}
    </ul>
  )
}
