import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

// The /api/v1 route files, from the filesystem, for the tests that must cover
// every route (the access matrix, the declared contract).

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export const API_DIR = path.resolve(import.meta.dirname, '../../app/api/v1')

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    if (statSync(p).isDirectory()) return routeFiles(p)
    return name === 'route.ts' ? [p] : []
  })
}

/** '/api/v1/budgets/[id]' for app/api/v1/budgets/[id]/route.ts */
const routePath = (file: string) => `/api/v1/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join('/')}`.replace(/\/$/, '')

/** Every route file under app/api/v1 with its URL path (Next.js form: [id]), sorted by path. */
export const API_ROUTES = routeFiles(API_DIR)
  .map((file) => ({ file, path: routePath(file) }))
  .sort((a, b) => a.path.localeCompare(b.path))

/** The OpenAPI form of a Next.js route path: [id] → {id}. */
export const openapiPath = (nextPath: string) => nextPath.replace(/\[(\w+)\]/g, '{$1}')
