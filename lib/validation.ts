import type { z } from 'zod'
import { badRequest } from '@/lib/errors'

/** "field: reason" lines, the form every validation error in the API uses. */
export function issuesToLines(issues: z.core.$ZodIssue[]): string[] {
  const lines: string[] = []
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) lines.push(`${[...i.path, k].join('.')}: unknown field`)
    } else if (i.code === 'invalid_type' && 'input' in i && i.input === undefined) {
      // Only known when parsed with { reportInput: true }; otherwise the issue's own message stands.
      lines.push(`${i.path.join('.')}: is required`)
    } else {
      lines.push(`${i.path.join('.') || '(body)'}: ${i.message}`)
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
