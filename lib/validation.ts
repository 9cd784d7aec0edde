import type { z } from 'zod'
import { badRequest } from '@/lib/errors'

/**
 * Why PostgreSQL could not store this text, or null. A text column takes neither the NUL character nor an unpaired
 * UTF-16 surrogate (JSON can carry both, as \u0000 and \ud800): accepted, either one failed its batch in the worker
 * on every retry, and with it the organization's other batches of the same transaction.
 */
export function unstorableText(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)'
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) return 'must be valid Unicode text (it holds an unpaired surrogate such as \\ud800)'
  return null
}

/** A string PostgreSQL can store (see unstorableText), checked after the schema's other rules. */
export function storableString<S extends z.ZodString>(schema: S): S {
  return schema.superRefine((s, ctx) => {
    const why = unstorableText(s)
    if (why) ctx.addIssue({ code: 'custom', message: why, input: s })
  }) as unknown as S
}

/**
 * Every text of a parsed JSON value or of a request's parameters — keys and strings, at any depth — that PostgreSQL
 * could not store, as "path: reason" lines (the form of issuesToLines).
 */
export function unstorableTextLines(value: unknown, root = '(body)', path: (string | number)[] = [], out: string[] = []): string[] {
  const at = (p: (string | number)[]) => (p.length ? p.join('.') : root)
  if (typeof value === 'string') {
    const why = unstorableText(value)
    if (why) out.push(`${at(path)}: ${why}`)
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableTextLines(v, root, [...path, i], out))
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const why = unstorableText(k)
      if (why) out.push(`${at([...path, JSON.stringify(k)])}: the key ${why}`)
      else unstorableTextLines(v, root, [...path, k], out)
    }
  }
  return out
}

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
