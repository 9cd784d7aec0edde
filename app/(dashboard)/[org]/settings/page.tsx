import Link from 'next/link'
import { orgPage } from '@/components/layout/org-page'
import { ApiKeys } from '@/components/settings/api-keys'
import { OrganizationSettings, RawEventRetention } from '@/components/settings/organization'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/settings`, (a) => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-6 text-sm text-slate-600">API keys let your services send events to Outlay and read its numbers.</p>
      <p className="mb-6 text-sm">
        <Link href={`/${org}/settings/members`} className="font-medium text-brand-600 hover:underline">
          Members and invitations
        </Link>
        <span className="text-slate-600"> — who has access to {a.membership.org.name}, with what role, and who is invited.</span>
      </p>
      <p className="mb-6 text-sm">
        <Link href={`/${org}/settings/gateway`} className="font-medium text-brand-600 hover:underline">
          Gateway
        </Link>
        <span className="text-slate-600"> — point the OpenAI or Anthropic SDK at Outlay: upstream providers, SDK snippets, the latest calls.</span>
      </p>
      <div className="mb-6">
        <OrganizationSettings org={org} canEdit={can(a.membership.role, 'org.manage')} />
      </div>
      <div className="mb-6">
        <RawEventRetention org={org} canEdit={can(a.membership.role, 'org.manage')} />
      </div>
      {/* the page needs keys.manage (lib/auth/permissions.ts PAGE_PERMISSION) */}
      <ApiKeys org={org} />
      {a.membership.role === 'admin' && (
        <p className="mt-6 text-sm">
          <Link href={`/${org}/settings/audit-log`} className="font-medium text-brand-600 hover:underline">
            Audit log
          </Link>
          <span className="text-slate-600"> — who changed prices, budgets, policies, keys, members and other settings, and when.</span>
        </p>
      )}
    </>
  ))
}
