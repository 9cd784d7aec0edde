'use client'
import Link from 'next/link'
import { usePathname, useSearchParams } from 'next/navigation'
import { signOut } from 'next-auth/react'
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react'
import type { Role } from '@/generated/prisma/enums'
import { can, PAGE_PERMISSION, type TPage, type TPermission } from '@/lib/auth/permissions'

// `analytics` pages share the date range and environment / traffic-source
// filters: moving between them keeps the view the user chose. Each entry needs
// its page's permission (lib/auth/permissions.ts): a member sees only what their role opens.
// Entries are grouped by the question they answer; the order here is the sidebar's (e2e/fixtures.ts FULL_NAV).
const GROUPS = ['Spend', 'Control', 'Capacity', 'Finance', 'Setup'] as const
const NAV: { href: TPage; label: string; group: (typeof GROUPS)[number]; analytics?: boolean; permission: TPermission }[] = [
  { href: 'overview', label: 'Overview', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.overview },
  { href: 'workflows', label: 'Workflows', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.workflows },
  { href: 'features', label: 'Features', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.features },
  { href: 'accounts', label: 'Accounts', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.accounts },
  { href: 'changes', label: 'What changed', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.changes },
  { href: 'calls', label: 'Calls', group: 'Spend', analytics: true, permission: PAGE_PERMISSION.calls },
  { href: 'budgets', label: 'Budgets', group: 'Control', permission: PAGE_PERMISSION.budgets },
  { href: 'alerts', label: 'Alerts', group: 'Control', permission: PAGE_PERMISSION.alerts },
  { href: 'routing', label: 'Routing', group: 'Control', permission: PAGE_PERMISSION.routing },
  { href: 'opportunities', label: 'Opportunities', group: 'Control', analytics: true, permission: PAGE_PERMISSION.opportunities },
  { href: 'fleet', label: 'GPU fleet', group: 'Capacity', permission: PAGE_PERMISSION.fleet },
  { href: 'forecast', label: 'Forecast', group: 'Finance', permission: PAGE_PERMISSION.forecast },
  { href: 'reports', label: 'Reports', group: 'Finance', permission: PAGE_PERMISSION.reports },
  { href: 'pricing', label: 'Pricing', group: 'Setup', permission: PAGE_PERMISSION.pricing },
  { href: 'settings', label: 'Settings', group: 'Setup', permission: PAGE_PERMISSION.settings },
  { href: 'admin', label: 'Ingestion', group: 'Setup', permission: PAGE_PERMISSION.admin },
]
const FILTER_KEYS = ['range', 'environment', 'traffic_source']
/** Where a person's choice to hide the sidebar on a wide screen is kept (per browser, not per organization). */
const COLLAPSED_KEY = 'outlay.sidebar.collapsed'
/** Below Tailwind's `md` the sidebar is a drawer over the page rather than a column beside it. */
const WIDE = '(min-width: 768px)'

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

  // collapsed: the wide-screen column is hidden (remembered); drawerOpen: the narrow-screen drawer is shown (not remembered)
  const [collapsed, setCollapsed] = useState(false)
  const [drawerOpen, setDrawerOpen] = useState(false)
  const menuButton = useRef<HTMLButtonElement>(null)
  const sidebar = useRef<HTMLDivElement>(null)
  // read after hydration: the server cannot know it, and a mismatch would be logged as an error
  useEffect(() => {
    if (localStorage.getItem(COLLAPSED_KEY) === '1') setCollapsed(true)
  }, [])
  const collapse = (value: boolean) => {
    setCollapsed(value)
    localStorage.setItem(COLLAPSED_KEY, value ? '1' : '0')
  }
  const closeDrawer = useCallback(() => {
    setDrawerOpen(false)
    menuButton.current?.focus()
  }, [])
  // following a link closes the drawer
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation on purpose
  useEffect(() => setDrawerOpen(false), [path])
  useEffect(() => {
    if (!drawerOpen) return
    sidebar.current?.querySelector<HTMLElement>('a, button, select')?.focus()
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeDrawer()
      // the open drawer keeps the focus: Tab past its last control comes back to its first, Shift+Tab the other way
      if (e.key !== 'Tab' || !sidebar.current) return
      const inside = [...sidebar.current.querySelectorAll<HTMLElement>('a[href], button, select, input, [tabindex]:not([tabindex="-1"])')].filter(
        (el) => !el.hasAttribute('disabled') && el.getClientRects().length > 0,
      )
      if (inside.length === 0) return
      const first = inside[0]
      const last = inside[inside.length - 1]
      const at = document.activeElement
      if (e.shiftKey && (at === first || !sidebar.current.contains(at))) {
        e.preventDefault()
        last.focus()
      } else if (!e.shiftKey && (at === last || !sidebar.current.contains(at))) {
        e.preventDefault()
        first.focus()
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [drawerOpen, closeDrawer])
  const openMenu = () => {
    if (window.matchMedia(WIDE).matches) collapse(false)
    else setDrawerOpen(true)
  }

  return (
    <div className="min-h-screen md:flex">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-brand-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      {/* the backdrop is for a pointer; the drawer's Close button and Escape serve the keyboard and screen readers */}
      {drawerOpen && (
        <button type="button" aria-hidden="true" tabIndex={-1} onClick={closeDrawer} className="fixed inset-0 z-30 bg-slate-900/30 md:hidden print:hidden" />
      )}
      <div
        ref={sidebar}
        id="sidebar"
        data-testid="sidebar"
        // on a phone the open drawer is a dialog over the page (the focus stays in it, Escape closes it)
        {...(drawerOpen ? { role: 'dialog', 'aria-label': 'Menu' } : {})}
        className={`fixed inset-y-0 left-0 z-40 w-64 flex-col overflow-y-auto border-r border-slate-200 bg-white shadow-lg md:sticky md:top-0 md:z-auto md:h-screen md:w-56 md:shrink-0 md:shadow-none print:hidden ${drawerOpen ? 'flex' : 'hidden'} ${collapsed ? 'md:hidden' : 'md:flex'}`}
      >
        <div className="flex items-center gap-2 px-4 pt-4">
          <Link href={`/${org}`} className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" width={24} height={24} /> Outlay
          </Link>
          <button
            type="button"
            onClick={() => (drawerOpen ? closeDrawer() : collapse(true))}
            aria-controls="sidebar"
            aria-expanded="true"
            className="ml-auto rounded-md px-2 py-1 text-sm text-slate-500 hover:bg-slate-100"
          >
            {drawerOpen ? 'Close' : 'Hide'}
            <span className="sr-only"> menu</span>
          </button>
        </div>
        <div className="px-4 pt-3">
          {switcher ?? (
            <span className="whitespace-nowrap text-sm text-slate-500" title="Organization">
              {orgName}
            </span>
          )}
        </div>
        <nav aria-label="Main" className="flex-1 px-2 py-3">
          {GROUPS.map((group) => {
            const entries = nav.filter((n) => n.group === group)
            if (entries.length === 0) return null
            const id = `nav-${group.toLowerCase()}`
            return (
              <section key={group} aria-labelledby={id} className="mb-3">
                <h2 id={id} className="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">
                  {group}
                </h2>
                <ul>
                  {entries.map((n) => {
                    const href = `/${org}/${n.href}`
                    const active = path?.startsWith(href)
                    return (
                      <li key={n.href}>
                        <Link
                          href={n.analytics ? href + filterQuery : href}
                          aria-current={active ? 'page' : undefined}
                          className={`block truncate rounded-md px-3 py-1.5 text-sm ${active ? 'bg-brand-50 font-medium text-brand-700' : 'text-slate-600 hover:bg-slate-100'}`}
                        >
                          {n.label}
                        </Link>
                      </li>
                    )
                  })}
                </ul>
              </section>
            )
          })}
        </nav>
        <div className="border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
          {/* "email · role" in one text, as the header had it */}
          <p className="mb-2 [overflow-wrap:anywhere]">
            {email} · {role.replace('_', ' ')}
          </p>
          <div className="-mx-2 flex gap-1">
            <Link href="/account" className="rounded-md px-2 py-1 hover:bg-slate-100">
              Account
            </Link>
            <button type="button" onClick={() => signOut({ callbackUrl: '/signin' })} className="rounded-md px-2 py-1 hover:bg-slate-100">
              Sign out
            </button>
          </div>
        </div>
      </div>
      <div className="min-w-0 flex-1">
        <header
          className={`sticky top-0 z-20 items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 print:hidden ${collapsed ? 'flex' : 'flex md:hidden'}`}
        >
          <button
            ref={menuButton}
            type="button"
            onClick={openMenu}
            aria-controls="sidebar"
            aria-expanded={drawerOpen}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
          >
            Menu
          </button>
          <Link href={`/${org}`} className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" width={20} height={20} /> Outlay
          </Link>
          <span className="truncate text-sm text-slate-500">{orgName}</span>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-6 py-6 focus:outline-none print:max-w-none print:p-0">
          {children}
        </main>
      </div>
    </div>
  )
}
