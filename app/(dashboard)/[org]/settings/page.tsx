import { orgPage } from '@/components/layout/org-page'
import { ApiKeys } from '@/components/settings/api-keys'

export const dynamic = 'force-dynamic'

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/settings`, () => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-6 text-sm text-slate-600">API keys let your services send events to Outlay and read its numbers.</p>
      {/* the page needs keys.manage (lib/auth/permissions.ts PAGE_PERMISSION) */}
      <ApiKeys org={org} />
    </>
  ))
}
