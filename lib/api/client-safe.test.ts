import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Endpoint declarations (lib/<capability>/api.ts) are imported by components
// for their typed requests (components/api.ts callApi): they and everything
// they import at run time must be safe in the browser — schemas and constants,
// never the database, the queues or Node's modules.

const ROOT = path.resolve(import.meta.dirname, '../..')
const FORBIDDEN = [/^@\/lib\/db$/, /^pg$/, /^@prisma\//, /^ioredis$/, /^bullmq$/, /^node:/, /^@\/generated\/prisma\/client/, /^server-only$/, /^next-auth/]

function resolve(spec: string): string | null {
  if (!spec.startsWith('@/')) return null
  const base = path.join(ROOT, spec.slice(2))
  for (const f of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (existsSync(f)) return f
  return null
}

/** Run-time imports of a module (`import type` and `import { type X }`-only lines left out). */
function runtimeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of src.matchAll(/^import\s+(type\s+)?([^'"]*?)\s*from\s*'([^']+)'|^import\s+'([^']+)'/gm)) {
    if (m[4]) out.push(m[4])
    else if (!m[1] && !/^\{\s*(type\s+[\w$]+\s*(,\s*)?)+\}$/.test(m[2].trim())) out.push(m[3])
  }
  return out
}

function offending(entry: string): string[] {
  const seen = new Set<string>()
  const bad: string[] = []
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const spec of runtimeImports(file)) {
      if (FORBIDDEN.some((re) => re.test(spec))) bad.push([...chain, spec].map((x) => path.relative(ROOT, x) || x).join(' → '))
      const next = resolve(spec)
      if (next) walk(next, [...chain, next])
    }
  }
  walk(entry, [entry])
  return bad
}

const apiModules = readdirSync(path.join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('/api.ts') || f === 'api.ts')
  .map((f) => path.join(ROOT, 'lib', f))

describe('endpoint declarations are client-safe', () => {
  it('finds the declaration modules', () => expect(apiModules.length).toBeGreaterThan(0))
  it.each(apiModules.map((f) => [path.relative(ROOT, f), f]))('%s imports nothing server-only at run time', (_, f) => {
    expect(offending(f)).toEqual([])
  })
})
