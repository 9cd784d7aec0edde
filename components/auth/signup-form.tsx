'use client'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'
import { ZSignUp } from '@/lib/orgs/schema'
import { issuesToLines } from '@/lib/validation'
import { fieldErrors as toFieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'

type TField = 'org_name' | 'name' | 'email' | 'password'
type TFieldErrors = Partial<Record<TField, string>>
const fieldErrors = (lines: string[] | undefined): TFieldErrors => toFieldErrors<TField>(lines)

export function SignUpForm() {
  const router = useRouter()
  const [errors, setErrors] = useState<TFieldErrors>({})
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  const [sentTo, setSentTo] = useState<string | null>(null)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const body = {
      org_name: String(f.get('org_name') ?? ''),
      name: String(f.get('name') ?? '') || undefined,
      email: String(f.get('email') ?? ''),
      password: String(f.get('password') ?? ''),
    }
    setError(null)
    // The server validates the same schema; checking here first saves a round trip.
    const local = ZSignUp.safeParse(body)
    if (!local.success) return setErrors(fieldErrors(issuesToLines(local.error.issues)))
    setErrors({})
    setPending(true)
    try {
      const r = await postJson('/api/auth/signup', body)
      if (r.status === 429) return setError(retryMessage(r.data.error?.details?.retry_after_s ?? 60, 'sign-up attempts'))
      if (!r.ok) {
        setErrors(fieldErrors(r.data.error?.details?.errors))
        setError(r.data.error?.message ?? 'Sign-up failed')
        return
      }
      // With email verification on, the answer is the same for a new and a taken email: check the inbox.
      if (r.data.status === 'verification_sent') return setSentTo(body.email.trim().toLowerCase())
      const s = await signIn('credentials', { email: body.email, password: body.password, redirect: false })
      if (!s || s.error) return setError('Your organization was created, but signing in failed: try the sign-in page.')
      router.push(`/${r.data.org_slug}/overview`)
      router.refresh()
    } finally {
      setPending(false)
    }
  }

  if (sentTo) {
    return (
      <div className="space-y-4">
        <Alert tone="success">
          Check your email: we sent a message to {sentTo}. Open its link to confirm the address, then sign in. The link works for 24 hours.
        </Alert>
        <p className="text-sm text-slate-600">
          Nothing arrived? Look in spam, or{' '}
          <Link href="/signin" className="font-medium text-brand-600 hover:underline">
            sign in
          </Link>{' '}
          to ask for a new link.
        </p>
      </div>
    )
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field label="Organization name" htmlFor="org_name" error={errors.org_name} hint="Your company; you can invite your team later.">
        <Input id="org_name" name="org_name" required autoFocus invalid={!!errors.org_name} />
      </Field>
      <Field label="Your name" htmlFor="name" error={errors.name}>
        <Input id="name" name="name" autoComplete="name" invalid={!!errors.name} />
      </Field>
      <Field label="Work email" htmlFor="email" error={errors.email}>
        <Input id="email" name="email" type="email" autoComplete="email" required invalid={!!errors.email} />
      </Field>
      <Field label="Password" htmlFor="password" error={errors.password} hint="At least 10 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" required invalid={!!errors.password} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Creating…' : 'Create organization'}
      </Button>
      <p className="text-center text-sm text-slate-600">
        Already have an account?{' '}
        <Link href="/signin" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  )
}
