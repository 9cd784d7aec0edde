import { AuthCard } from '@/components/auth/auth-card'
import { Alert } from '@/components/ui'
import { ForgotPasswordForm } from '@/components/auth/forgot-password-form'
import { smtpConfigured } from '@/lib/notifications/mail'

export const dynamic = 'force-dynamic'

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Reset your password" subtitle="We will email you a link to choose a new one.">
      {smtpConfigured() ? (
        <ForgotPasswordForm />
      ) : (
        <Alert tone="warning">This server cannot send email (SMTP_URL is not set): ask an administrator of your organization to reset your access.</Alert>
      )}
    </AuthCard>
  )
}
