import type { z } from 'zod'

/** "field: reason" lines, the form every validation error in the API uses. */
export function issuesToLines(issues: z.core.$ZodIssue[]): string[] {
  const lines: string[] = []
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) lines.push(`${[...i.path, k].join('.')}: unknown field`)
    } else if (i.code === 'invalid_type' && i.input === undefined) {
      lines.push(`${i.path.join('.')}: is required`)
    } else {
      lines.push(`${i.path.join('.') || '(body)'}: ${i.message}`)
    }
  }
  return lines
}
