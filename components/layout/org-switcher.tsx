'use client'
import { usePathname, useRouter } from 'next/navigation'

export type TOrgChoice = { slug: string; name: string; role: string }

/**
 * The organization in the header; a person in several organizations switches here. URLs carry the
 * organization, so switching keeps the section (Budgets stays Budgets) and drops what belongs to the old one.
 */
export function OrgSwitcher({ current, orgs }: { current: string; orgs: TOrgChoice[] }) {
  const router = useRouter()
  const path = usePathname() ?? ''
  const name = orgs.find((o) => o.slug === current)?.name ?? current
  if (orgs.length < 2)
    return (
      <span className="whitespace-nowrap text-sm text-slate-500" title="Organization">
        {name}
      </span>
    )
  const section = path.split('/')[2] || 'overview'
  return (
    <label className="flex items-center gap-1.5 text-sm text-slate-500">
      <span className="sr-only">Organization</span>
      <select
        data-testid="org-switcher"
        value={current}
        onChange={(e) => router.push(`/${e.target.value}/${section}`)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-700 shadow-sm"
      >
        {orgs.map((o) => (
          <option key={o.slug} value={o.slug}>
            {o.name} ({o.role.replace('_', ' ')})
          </option>
        ))}
      </select>
    </label>
  )
}
