import { AuthCard } from '@/components/auth/auth-card'
import { SignUpForm } from '@/components/auth/signup-form'

export default function SignUpPage() {
  return (
    <AuthCard title="Create your organization" subtitle="You will be its admin. Next: create an API key and send your first events.">
      <SignUpForm />
    </AuthCard>
  )
}
