import { SettingsBreadcrumb } from '@/components/layout/settings-breadcrumb'
import { orgPage } from '@/components/layout/org-page'
import { Members } from '@/components/settings/members'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

// Settings → Members: who has access to our Outlay and with what role, and who is invited. Any member sees the
// list (and can leave): spend.read, which every role holds, rather than the Settings section's keys.manage;
// admins (members.manage) change roles, invite, revoke and remove.
export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(
    org,
    `/${org}/settings/members`,
    (a) => (
      <>
        {/* the roles that may open Settings (keys.manage) get the way back to it; the separator is drawn, not read */}
        {can(a.membership.role, 'keys.manage') && <SettingsBreadcrumb org={org} page="Members" />}
        <h1 className="mb-1 text-2xl font-semibold">Members</h1>
        <p className="mb-6 text-sm text-slate-600">Who has access to {a.membership.org.name}, with what role, and who is invited.</p>
        <Members org={org} orgName={a.membership.org.name} me={a.user.id} canManage={can(a.membership.role, 'members.manage')} />
      </>
    ),
    'spend.read',
  )
}
