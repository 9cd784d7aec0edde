import type { z } from 'zod'
import { badRequest } from '@/lib/errors'

/** "field: reason" lines, the form every validation error in the API uses. */
export function issuesToLines(issues: z.core.$ZodIssue[], root = '(body)'): string[] {
  const lines: string[] = []
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      // A key that is not a plain name is quoted, so even "" reads as a field.
      for (const k of i.keys) lines.push(`${[...i.path, /^[\w$]+$/.test(k) ? k : JSON.stringify(k)].join('.')}: unknown field`)
    } else if (i.code === 'invalid_type' && 'input' in i && i.input === undefined) {
      // Only known when parsed with { reportInput: true }; otherwise the issue's own message stands.
      lines.push(`${i.path.join('.')}: is required`)
    } else if (i.path.length === 0 && i.code === 'invalid_type') {
      lines.push(`${root}: must be a JSON object`)
    } else {
      lines.push(`${i.path.join('.') || root}: ${i.message}`)
    }
  }
  return lines
}

/** Parse or throw a 400 whose details list every problem as "field: reason". */
export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown, message: string): z.infer<S> {
  const r = schema.safeParse(data, { reportInput: true })
  if (!r.success) throw badRequest(message, { errors: issuesToLines(r.error.issues) })
  return r.data
}
