'use client'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'
import { ZSignUp } from '@/lib/orgs/schema'
import { issuesToLines } from '@/lib/validation'

type TFieldErrors = Partial<Record<'org_name' | 'name' | 'email' | 'password', string>>

/** "field: reason" lines from the API → a message per form field. */
function fieldErrors(lines: string[] | undefined): TFieldErrors {
  const out: TFieldErrors = {}
  for (const l of lines ?? []) {
    const i = l.indexOf(': ')
    const f = l.slice(0, i) as keyof TFieldErrors
    out[f] ??= l.slice(i + 2)
  }
  return out
}

export function SignUpForm() {
  const router = useRouter()
  const [errors, setErrors] = useState<TFieldErrors>({})
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const body = { org_name: String(f.get('org_name') ?? ''), name: String(f.get('name') ?? '') || undefined, email: String(f.get('email') ?? ''), password: String(f.get('password') ?? '') }
    setError(null)
    // The server validates the same schema; checking here first saves a round trip.
    const local = ZSignUp.safeParse(body)
    if (!local.success) return setErrors(fieldErrors(issuesToLines(local.error.issues)))
    setErrors({})
    setPending(true)
    try {
      const res = await fetch('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const data = await res.json()
      if (!res.ok) {
        setErrors(fieldErrors(data.error?.details?.errors))
        setError(data.error?.message ?? 'Sign-up failed')
        return
      }
      const r = await signIn('credentials', { email: body.email, password: body.password, redirect: false })
      if (!r || r.error) return setError('Your organization was created, but signing in failed: try the sign-in page.')
      router.push(`/${data.org_slug}/overview`)
      router.refresh()
    } catch {
      setError('Could not reach Outlay. Check your connection and try again.')
    } finally {
      setPending(false)
    }
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
