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

/** The dates a parameter may name: PostgreSQL has no year 0, and a range's arithmetic must stay within its calendar. */
const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(3000, 0, 1)

/** An ISO-8601 date (2026-11-01, read as UTC midnight) or date-time, from 1970 to 2999 → a Date. */
export const isoDateParam = z
  .string({ error: 'is required' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date or date-time')
  .refine((s) => Number.isNaN(Date.parse(s)) || (Date.parse(s) >= EARLIEST && Date.parse(s) < LATEST), 'must be between 1970-01-01 and 2999-12-31')
  .transform((s) => new Date(s))

/** A comma list → string[]; with `allowed`, every item must be one of them. */
export const commaList = (allowed?: readonly string[]) => {
  // an item named twice counts once ("workflow_id,workflow_id" grouped by one column, not an ambiguous two)
  const list = z.string().transform((s) => [...new Set(splitCommaList(s))])
  return allowed ? list.refine((xs) => xs.every((x) => allowed.includes(x)), `values must be among: ${allowed.join(', ')}`) : list
}
