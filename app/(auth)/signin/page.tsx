import { Suspense } from 'react'
import { AuthCard } from '@/components/auth/auth-card'
import { SignInForm } from '@/components/auth/signin-form'
import { oidcConfig } from '@/lib/env'

// read at each request: whether single sign-on is offered is the server's environment, not the build's
export const dynamic = 'force-dynamic'

export default function SignInPage() {
  const oidc = oidcConfig()
  return (
    <AuthCard title="Sign in" subtitle="See what every model call costs, and why.">
      <Suspense>
        <SignInForm sso={oidc ? { name: oidc.name } : null} />
      </Suspense>
    </AuthCard>
  )
}
