import Link from 'next/link'

/** The Reports area's pages: the monthly report, and the bills with their reconciliation. */
export function ReportsTabs({ org, current }: { org: string; current: 'monthly' | 'reconciliation' | 'bills' }) {
  const tabs = [
    { key: 'monthly', href: `/${org}/reports/monthly`, label: 'Monthly report' },
    { key: 'reconciliation', href: `/${org}/reports/reconciliation`, label: 'Reconciliation' },
    { key: 'bills', href: `/${org}/reports/bills`, label: 'Bills' },
  ] as const
  return (
    <nav aria-label="Reports" className="flex gap-1 border-b border-slate-200 print:hidden">
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
