import { notFound, redirect } from 'next/navigation'
import { pageAccess } from '@/lib/auth/session'
import type { TPermission } from '@/lib/auth/permissions'

/** Each dashboard page calls this itself: signed-out users go to sign-in; non-members see a 404 (no hint the org exists); a member whose role lacks the permission gets the answer back with it (orgPage says which role is needed). */
export async function requireAccess(orgSlug: string, permission: TPermission, path: string) {
  const a = await pageAccess(orgSlug, permission)
  if (a.ok) return a
  if (a.reason === 'signed_out') return redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`)
  if (a.reason === 'not_member') return notFound()
  return a
}
