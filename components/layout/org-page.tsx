import Link from 'next/link'
import type { ReactNode } from 'react'
import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { OrgSwitcher } from '@/components/layout/org-switcher'
import { membershipsOf } from '@/lib/orgs'
import { RoleProvider } from '@/components/layout/role-context'
import { TimeZoneProvider } from '@/components/layout/time-zone'
import { pagePermission, rolesSentence, type TPermission } from '@/lib/auth/permissions'

export type TPageAccess = Extract<Awaited<ReturnType<typeof requireAccess>>, { ok: true }>

/**
 * A dashboard page of an organization: the access check (sign-in, membership,
 * permission) and the shell, around what `render` draws for that member. The
 * permission is the page's section's in lib/auth/permissions.ts (PAGE_PERMISSION),
 * the map the navigation reads too. A member whose role may not open the page
 * sees which role it needs, inside the shell.
 */
export async function orgPage(org: string, path: string, render: (a: TPageAccess) => ReactNode, permission?: TPermission) {
  const needed = permission ?? pagePermission(path) ?? 'metrics.read'
  const a = await requireAccess(org, needed, path)
  const orgs = (await membershipsOf(a.user.id)).map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }))
  const switcher = <OrgSwitcher current={org} orgs={orgs} />
  if (!a.ok) {
    return (
      <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role} switcher={switcher}>
        <NeedsRole org={org} orgName={a.membership.org.name} role={a.membership.role} permission={a.permission} />
      </Shell>
    )
  }
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role} switcher={switcher}>
      <RoleProvider role={a.membership.role}>
        <TimeZoneProvider timeZone={a.membership.org.time_zone}>{render(a)}</TimeZoneProvider>
      </RoleProvider>
    </Shell>
  )
}

function NeedsRole({ org, orgName, role, permission }: { org: string; orgName: string; role: string; permission: TPermission }) {
  const roles = rolesSentence(permission)
  return (
    <section aria-labelledby="needs-role" className="mx-auto max-w-xl py-16 text-center">
      <img src="/favicon.svg" alt="" width={40} height={40} className="mx-auto mb-4" />
      <h1 id="needs-role" className="mb-2 text-2xl font-semibold">
        You need the {roles} role
      </h1>
      <p className="mb-6 text-sm text-slate-600">
        This page is for members of {orgName} with the {roles} role. Your role is {role.replace('_', ' ')}: ask an admin of {orgName} to change it if you need
        this page.
      </p>
      <Link href={`/${org}`} className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Go to your start page
      </Link>
    </section>
  )
}
