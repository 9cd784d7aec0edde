import { SettingsBreadcrumb } from '@/components/layout/settings-breadcrumb'
import { orgPage } from '@/components/layout/org-page'
import { Gateway } from '@/components/settings/gateway'
import { env } from '@/lib/env'

export const dynamic = 'force-dynamic'

// Settings › Gateway: upstream providers, the SDK snippets, the latest calls. Needs the Settings section's
// keys.manage (lib/auth/permissions.ts PAGE_PERMISSION): upstream credentials are keys.
export default async function GatewayPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/settings/gateway`, () => (
    <>
      <SettingsBreadcrumb org={org} page="Gateway" />
      <h1 className="mb-1 text-2xl font-semibold">Gateway</h1>
      <p className="mb-6 text-sm text-slate-600">
        Point the OpenAI or Anthropic SDK at Outlay: every call is measured, priced and attributed with no other code.
      </p>
      <Gateway org={org} baseUrl={env().NEXTAUTH_URL?.replace(/\/+$/, '') ?? null} />
    </>
  ))
}
