import Link from 'next/link'
import { AuthCard } from '@/components/auth/auth-card'
import { Alert } from '@/components/ui'
import { ResetPasswordForm } from '@/components/auth/reset-password-form'
import { ZToken } from '@/lib/auth/schema'

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const token = ZToken.safeParse((await searchParams).token)
  return (
    <AuthCard title="Choose a new password" subtitle="For your Outlay account.">
      {token.success ? (
        <ResetPasswordForm token={token.data} />
      ) : (
        <Alert>
          This link is incomplete.{' '}
          <Link href="/forgot-password" className="font-medium underline">
            Ask for a new one
          </Link>
          .
        </Alert>
      )}
    </AuthCard>
  )
}
