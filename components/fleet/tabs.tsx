import Link from 'next/link'

/** The GPU fleet area's two pages: the pools themselves, and what each scenario costs with them. */
export function FleetTabs({ org, current }: { org: string; current: 'fleet' | 'scenarios' }) {
  const tabs = [
    { key: 'fleet', href: `/${org}/fleet`, label: 'Pools and utilization' },
    { key: 'scenarios', href: `/${org}/fleet/scenarios`, label: 'Scenario cost' },
  ] as const
  return (
    <nav aria-label="GPU fleet" className="flex gap-1 border-b border-slate-200">
      {tabs.map((t) => (
        <Link
          key={t.key}
          href={t.href}
          aria-current={current === t.key ? 'page' : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${current === t.key ? 'border-brand-600 font-medium text-brand-700' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  )
}
