import { z } from 'zod'

// The building blocks of answer schemas: how values look on the wire. Money is
// a decimal string in USD (exact, never a binary float), times are ISO-8601
// UTC strings, ids are UUIDs.

/** A USD amount as an exact decimal string, e.g. "12.345678". */
export const ZUsd = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'USD, an exact decimal string', examples: ['12.345678'] })
/** A UTC instant, e.g. "2026-12-06T09:00:00.000Z". */
export const ZInstant = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 date-time, UTC', examples: ['2026-12-06T09:00:00.000Z'] })
/** A calendar day, e.g. "2026-12-06". */
export const ZDay = z.iso.date().meta({ description: 'a calendar day (UTC), YYYY-MM-DD' })
export const ZUuid = z.uuid()
/** A ratio or share as a number (0.25 = 25%). */
export const ZRatio = z.number().meta({ description: 'a ratio (0.25 = 25%)' })
