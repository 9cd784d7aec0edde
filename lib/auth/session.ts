import 'server-only'
import { getServerSession } from 'next-auth'
import { cookies, headers } from 'next/headers'
import { authOptions } from '@/lib/auth/options'
import { membershipBySlug, type TMembershipView } from '@/lib/orgs'
import { can, type TPermission } from '@/lib/auth/permissions'

export type TSessionUser = { id: string; email: string; name: string | null }

// No-op: a server component cannot set cookies; a revoked session's cookie is cleared by next-auth's own routes.
const noResponse = { getHeader() {}, setCookie() {}, setHeader() {} }

/**
 * The signed-in user, or null. Works in server components and route handlers.
 * The request's cookies go to next-auth explicitly (its req/res form), which
 * runs the jwt callback: a session whose version the user has moved past is null.
 */
export async function sessionUser(): Promise<TSessionUser | null> {
  const req = {
    headers: Object.fromEntries(await headers()),
    cookies: Object.fromEntries((await cookies()).getAll().map((c) => [c.name, c.value])),
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const s = await getServerSession(req as any, noResponse as any, authOptions())
  const u = s?.user as { id?: string; email?: string | null; name?: string | null } | undefined
  if (!u?.id || !u.email) return null
  return { id: u.id, email: u.email, name: u.name ?? null }
}

export type TPageAccess =
  | { ok: true; user: TSessionUser; membership: TMembershipView }
  | { ok: false; reason: 'signed_out' }
  | { ok: false; reason: 'not_member' }
  | { ok: false; reason: 'forbidden'; permission: TPermission; user: TSessionUser; membership: TMembershipView }

/** What every dashboard page checks for itself (never the layout). The role is read from the membership on every request. */
export async function pageAccess(orgSlug: string, permission: TPermission): Promise<TPageAccess> {
  const user = await sessionUser()
  if (!user) return { ok: false, reason: 'signed_out' }
  const membership = await membershipBySlug(user.id, orgSlug)
  if (!membership) return { ok: false, reason: 'not_member' }
  if (!can(membership.role, permission)) return { ok: false, reason: 'forbidden', permission, user, membership }
  return { ok: true, user, membership }
}
