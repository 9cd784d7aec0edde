import Link from 'next/link'

/** The pages of one area (GPU fleet, Reports) as tabs under its heading; the current one marked for assistive tech. */
export function SubTabs<K extends string>({
  label,
  current,
  tabs,
  className = '',
}: {
  /** the navigation landmark's name */
  label: string
  current: K
  tabs: readonly { key: K; href: string; label: string }[]
  className?: string
}) {
  return (
    <nav aria-label={label} className={`flex gap-1 border-b border-slate-200 ${className}`}>
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
