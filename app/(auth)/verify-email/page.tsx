import { AuthCard } from '@/components/auth/auth-card'
import { Alert } from '@/components/ui'
import { VerifyEmailForm } from '@/components/auth/verify-email-form'
import { ZToken } from '@/lib/auth/schema'

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const token = ZToken.safeParse((await searchParams).token)
  return (
    <AuthCard title="Verify your email" subtitle="One click and your account is ready.">
      {token.success ? (
        <VerifyEmailForm token={token.data} />
      ) : (
        <Alert>This link is incomplete: open the whole link from the email, or sign in to ask for a new one.</Alert>
      )}
    </AuthCard>
  )
}
