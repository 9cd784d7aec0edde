import type { ReactNode } from 'react'
import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { OrgSwitcher } from '@/components/layout/org-switcher'
import { membershipsOf } from '@/lib/orgs'
import type { TPermission } from '@/lib/auth/permissions'

export type TPageAccess = Extract<Awaited<ReturnType<typeof requireAccess>>, { ok: true }>

/**
 * A dashboard page of an organization: the access check (sign-in, membership,
 * permission) and the shell, around what `render` draws for that member.
 */
export async function orgPage(org: string, path: string, render: (a: TPageAccess) => ReactNode, permission: TPermission = 'metrics.read') {
  const a = await requireAccess(org, permission, path)
  if (!a.ok) return null
  const orgs = (await membershipsOf(a.user.id)).map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }))
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role} switcher={<OrgSwitcher current={org} orgs={orgs} />}>
      {render(a)}
    </Shell>
  )
}
