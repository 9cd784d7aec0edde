'use client'
import Link from 'next/link'
import { usePathname, useSearchParams } from 'next/navigation'
import { signOut } from 'next-auth/react'
import type { ReactNode } from 'react'
import type { Role } from '@/generated/prisma/enums'
import { can, PAGE_PERMISSION, type TPage, type TPermission } from '@/lib/auth/permissions'

// `analytics` pages share the date range and environment / traffic-source
// filters: moving between them keeps the view the user chose. Each entry needs
// its page's permission (lib/auth/permissions.ts): a member sees only what their role opens.
const NAV: { href: TPage; label: string; analytics?: boolean; permission: TPermission }[] = [
  { href: 'overview', label: 'Overview', analytics: true, permission: PAGE_PERMISSION.overview },
  { href: 'workflows', label: 'Workflows', analytics: true, permission: PAGE_PERMISSION.workflows },
  { href: 'features', label: 'Features', analytics: true, permission: PAGE_PERMISSION.features },
  { href: 'accounts', label: 'Accounts', analytics: true, permission: PAGE_PERMISSION.accounts },
  { href: 'changes', label: 'What changed', analytics: true, permission: PAGE_PERMISSION.changes },
  { href: 'opportunities', label: 'Opportunities', analytics: true, permission: PAGE_PERMISSION.opportunities },
  { href: 'budgets', label: 'Budgets', permission: PAGE_PERMISSION.budgets },
  { href: 'alerts', label: 'Alerts', permission: PAGE_PERMISSION.alerts },
  { href: 'forecast', label: 'Forecast', permission: PAGE_PERMISSION.forecast },
  { href: 'reports', label: 'Reports', permission: PAGE_PERMISSION.reports },
  { href: 'routing', label: 'Routing', permission: PAGE_PERMISSION.routing },
  { href: 'fleet', label: 'GPU fleet', permission: PAGE_PERMISSION.fleet },
  { href: 'pricing', label: 'Pricing', permission: PAGE_PERMISSION.pricing },
  { href: 'settings', label: 'Settings', permission: PAGE_PERMISSION.settings },
  { href: 'admin', label: 'Ingestion', permission: PAGE_PERMISSION.admin },
]
const FILTER_KEYS = ['range', 'environment', 'traffic_source']

export function Shell({
  org,
  orgName,
  email,
  role,
  switcher,
  children,
}: {
  org: string
  orgName: string
  email: string
  role: Role
  switcher?: ReactNode
  children: ReactNode
}) {
  const path = usePathname()
  const params = useSearchParams()
  const onAnalytics = NAV.some((n) => n.analytics && path?.startsWith(`/${org}/${n.href}`))
  const kept = new URLSearchParams()
  if (onAnalytics) for (const k of FILTER_KEYS) if (params?.get(k)) kept.set(k, params.get(k)!)
  const filterQuery = kept.size > 0 ? `?${kept}` : ''
  const nav = NAV.filter((n) => can(role, n.permission))
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white print:hidden">
        <div className="mx-auto max-w-7xl px-6 pt-3">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
            <Link href={`/${org}`} className="flex items-center gap-2 font-semibold">
              <img src="/favicon.svg" alt="" width={24} height={24} /> Outlay
            </Link>
            {switcher ?? (
              <span className="whitespace-nowrap text-sm text-slate-500" title="Organization">
                {orgName}
              </span>
            )}
            <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
              <span className="whitespace-nowrap">
                {email} · {role.replace('_', ' ')}
              </span>
              <Link href="/account" className="whitespace-nowrap rounded-md px-2 py-1 hover:bg-slate-100">
                Account
              </Link>
              <button type="button" onClick={() => signOut({ callbackUrl: '/signin' })} className="whitespace-nowrap rounded-md px-2 py-1 hover:bg-slate-100">
                Sign out
              </button>
            </div>
          </div>
          <nav aria-label="Main" className="-mx-3 mt-2 flex flex-wrap gap-1 pb-2">
            {nav.map((n) => {
              const href = `/${org}/${n.href}`
              const active = path?.startsWith(href)
              return (
                <Link
                  key={n.href}
                  href={n.analytics ? href + filterQuery : href}
                  aria-current={active ? 'page' : undefined}
                  className={`whitespace-nowrap rounded-md px-3 py-1.5 text-sm ${active ? 'bg-brand-50 font-medium text-brand-700' : 'text-slate-600 hover:bg-slate-100'}`}
                >
                  {n.label}
                </Link>
              )
            })}
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-6 print:max-w-none print:p-0">{children}</main>
    </div>
  )
}
