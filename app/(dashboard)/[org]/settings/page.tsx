import { orgPage } from '@/components/layout/org-page'
import { ApiKeys } from '@/components/settings/api-keys'
import Link from 'next/link'

export const dynamic = 'force-dynamic'

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/settings`, (a) => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-6 text-sm text-slate-600">API keys let your services send events to Outlay and read its numbers.</p>
      {/* the page needs keys.manage (lib/auth/permissions.ts PAGE_PERMISSION) */}
      <ApiKeys org={org} />
      {a.membership.role === 'admin' && (
        <p className="mt-6 text-sm">
          <Link className="text-indigo-700 underline" href={`/${org}/settings/audit-log`}>Audit log</Link>: who changed prices, budgets, policies, keys and other settings, and when.
        </p>
      )}
    </>
  ))
}
