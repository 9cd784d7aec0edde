import { orgPage } from '@/components/layout/org-page'
import { ApiKeys } from '@/components/settings/api-keys'
import Link from 'next/link'
import { Alert } from '@/components/ui'

export const dynamic = 'force-dynamic'

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/settings`, (a) => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-6 text-sm text-slate-600">API keys let your services send events to Outlay and read its numbers.</p>
      {a.membership.role === 'admin' || a.membership.role === 'engineer'
        ? <ApiKeys org={org} />
        : <Alert tone="info">Only admins and engineers can manage API keys. Ask an admin of {a.membership.org.name}.</Alert>}
      {a.membership.role === 'admin' && (
        <p className="mt-6 text-sm">
          <Link className="text-indigo-700 underline" href={`/${org}/settings/audit-log`}>Audit log</Link>: who changed prices, budgets, policies, keys and other settings, and when.
        </p>
      )}
    </>
  ))
}
