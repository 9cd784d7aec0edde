import { z } from 'zod'

// The query-string parameters that several endpoints share: a date or
// date-time, and a comma list ("production,eval"). One definition, so every
// endpoint accepts the same forms and answers with the same "field: reason".

/** "a, b,,c" → ["a", "b", "c"]: trimmed, empty items dropped. */
export const splitCommaList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)

/** An ISO-8601 date (2026-11-01, read as UTC midnight) or date-time → a Date. */
export const isoDateParam = z
  .string({ error: 'is required' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date or date-time')
  .transform((s) => new Date(s))

/** A comma list → string[]; with `allowed`, every item must be one of them. */
export const commaList = (allowed?: readonly string[]) => {
  const list = z.string().transform(splitCommaList)
  return allowed ? list.refine((xs) => xs.every((x) => allowed.includes(x)), `values must be among: ${allowed.join(', ')}`) : list
}
