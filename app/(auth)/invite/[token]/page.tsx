import Link from 'next/link'
import { AuthCard } from '@/components/auth/auth-card'
import { InvitationAccept } from '@/components/members/invitation-accept'
import { Alert } from '@/components/ui'
import { sessionUser } from '@/lib/auth/session'
import { invitationInfo } from '@/lib/members/invitations'

export const dynamic = 'force-dynamic'

const roleLabel = (r: string) => r.replace('_', ' ')

// /invite/<token>: outside the dashboard (the person may have no account yet). Shows the organization and the
// role, then signs a new person up, asks an existing account to sign in, or refuses another signed-in email.
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  const info = await invitationInfo(token)
  if (!info || info.state !== 'valid') {
    return (
      <AuthCard title="This invitation cannot be used" subtitle="Invitations work once and expire after 7 days.">
        <Alert tone="warning">
          {!info
            ? 'This invitation link is invalid or was revoked.'
            : info.state === 'used'
              ? 'This invitation was already accepted.'
              : `This invitation to ${info.org.name} expired.`}{' '}
          Ask an admin of the organization for a new one.
        </Alert>
        <p className="mt-4 text-sm">
          <Link href="/signin" className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>
        </p>
      </AuthCard>
    )
  }
  const user = await sessionUser()
  const mode = user ? (user.email.toLowerCase() === info.email.toLowerCase() ? 'join' : 'wrong_user') : info.account_exists ? 'sign_in' : 'sign_up'
  return (
    <AuthCard title={`Join ${info.org.name}`} subtitle={`You are invited to ${info.org.name} on Outlay as ${roleLabel(info.role)}.`}>
      <InvitationAccept
        token={token}
        mode={mode}
        email={info.email}
        orgName={info.org.name}
        orgSlug={info.org.slug}
        role={info.role}
        signedInAs={user?.email ?? null}
      />
    </AuthCard>
  )
}
