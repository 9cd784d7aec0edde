import { getServerSession } from 'next-auth'
import { authOptions } from '@/lib/auth/options'
import { membershipBySlug, type TMembershipView } from '@/lib/orgs'
import { can, type TPermission } from '@/lib/auth/permissions'

export type TSessionUser = { id: string; email: string; name: string | null }

/** The signed-in user, or null. Works in server components and route handlers. */
export async function sessionUser(): Promise<TSessionUser | null> {
  const s = await getServerSession(authOptions())
  const u = s?.user as { id?: string; email?: string | null; name?: string | null } | undefined
  if (!u?.id || !u.email) return null
  return { id: u.id, email: u.email, name: u.name ?? null }
}

export type TPageAccess =
  | { ok: true; user: TSessionUser; membership: TMembershipView }
  | { ok: false; reason: 'signed_out' | 'not_member' | 'forbidden' }

/** What every dashboard page checks for itself (never the layout). */
export async function pageAccess(orgSlug: string, permission: TPermission): Promise<TPageAccess> {
  const user = await sessionUser()
  if (!user) return { ok: false, reason: 'signed_out' }
  const membership = await membershipBySlug(user.id, orgSlug)
  if (!membership) return { ok: false, reason: 'not_member' }
  if (!can(membership.role, permission)) return { ok: false, reason: 'forbidden' }
  return { ok: true, user, membership }
}
