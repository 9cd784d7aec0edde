import Link from 'next/link'

/** The way back from a page under Settings: "Settings / <page>", the page marked current (the separator is drawn, not read). */
export function SettingsBreadcrumb({ org, page }: { org: string; page: string }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-1 text-sm">
      <ol className="flex flex-wrap items-center gap-1">
        <li>
          <Link href={`/${org}/settings`} className="text-brand-600 hover:underline">
            Settings
          </Link>
        </li>
        <li aria-current="page" className="text-slate-700 before:mr-1 before:text-slate-400 before:content-['/']">
          {page}
        </li>
      </ol>
    </nav>
  )
}
