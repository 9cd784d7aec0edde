import { AsyncLocalStorage } from 'node:async_hooks'

// Who is acting, for the audit log, without a parameter threaded through every lib function: withOrg
// (lib/http/route.ts) runs each handler inside asActor(the session user, or the API key), the CLI inside
// asActor(CLI_ACTOR). The contract's actor types are "user" and "api_key"; a change made without a person or
// key behind it (the CLI, a seed) is recorded as type "user" with a null id and a label saying what made it.
// Like lib/db.ts's tenant, the store lives on globalThis: Next.js bundles its own copy of this module.

export type TActor = { type: 'user' | 'api_key'; id: string | null; label: string | null }

export const CLI_ACTOR: TActor = { type: 'user', id: null, label: 'cli' }
/** A change made outside any actor scope (a seed, a test's direct call). */
export const SYSTEM_ACTOR: TActor = { type: 'user', id: null, label: 'system' }

const g = globalThis as unknown as { __outlayActor?: AsyncLocalStorage<TActor> }
const store = (g.__outlayActor ??= new AsyncLocalStorage<TActor>())

/** Run fn (and all it awaits) as `actor`. */
export function asActor<T>(actor: TActor, fn: () => PromiseLike<T>): Promise<T> {
  return store.run(actor, async () => await fn())
}

export const currentActor = (): TActor => store.getStore() ?? SYSTEM_ACTOR
