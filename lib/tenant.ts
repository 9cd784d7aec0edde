import { AsyncLocalStorage } from 'node:async_hooks'

// The tenant a piece of work runs for. Row-level security (prisma/migrations/20261206000000_row_level_security)
// lets a connection see only the rows of the organization it declares in outlay.org_id; lib/db.ts declares, on
// every connection it hands out, the organization of the code that asked for it: asOrg(orgId, fn) runs fn (and
// everything it awaits) for that organization. withOrg, the fast paths and the workers call it; code outside any
// asOrg sees no tenant row at all. Apart from lib/db.ts so the logger (lib/log.ts) can put the organization on
// every line without loading the database client. The store lives on globalThis because Next.js bundles its own
// copy of this module beside server.ts's: both must read the same tenant.
const g0 = globalThis as unknown as { __outlayTenant?: AsyncLocalStorage<string> }
const tenant = (g0.__outlayTenant ??= new AsyncLocalStorage<string>())

/** Run fn for one organization: every query it makes (Prisma or raw) sees that organization's rows only. */
export function asOrg<T>(orgId: string, fn: () => PromiseLike<T>): Promise<T> {
  // awaited inside the scope: Prisma's promises are lazy and start their query when first awaited
  return tenant.run(orgId, async () => await fn())
}

/** Run fn for no organization: the cross-organization code (the SECURITY DEFINER functions) only. */
export function asNoOrg<T>(fn: () => PromiseLike<T>): Promise<T> {
  return tenant.run('', async () => await fn())
}

const gt = globalThis as unknown as { __outlayTestOrg?: string }
/**
 * Integration tests only: the organization of code that runs outside any asOrg scope — a test's own direct
 * calls of lib functions. Never set elsewhere: the web process, the workers and the CLI declare each tenant.
 */
export function setTestDefaultOrg(orgId: string | null): void {
  if (!process.env.VITEST) throw new Error('setTestDefaultOrg is for tests')
  gt.__outlayTestOrg = orgId ?? undefined
}

/** The organization the current code runs for, or null. */
export const currentOrg = (): string | null => (tenant.getStore() ?? gt.__outlayTestOrg) || null
