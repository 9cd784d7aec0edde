import { notFound, redirect } from 'next/navigation'
import { sessionUser } from '@/lib/auth/session'
import { membershipBySlug } from '@/lib/orgs'
import { landingPage } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

// The organization's root: each member lands on what their role comes to (customer success: Accounts).
export default async function OrgHome({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const user = await sessionUser()
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/${org}`)}`)
  const membership = await membershipBySlug(user.id, org)
  if (!membership) notFound()
  redirect(`/${org}/${landingPage(membership.role)}`)
}
