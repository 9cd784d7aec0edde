import { Suspense } from 'react'
import { AuthCard } from '@/components/auth/auth-card'
import { SignInForm } from '@/components/auth/signin-form'

export default function SignInPage() {
  return (
    <AuthCard title="Sign in" subtitle="See what every model call costs, and why.">
      <Suspense>
        <SignInForm />
      </Suspense>
    </AuthCard>
  )
}
