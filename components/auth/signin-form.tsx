'use client'
import { signIn } from 'next-auth/react'
import { useRouter, useSearchParams } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'

export function SignInForm() {
  const router = useRouter()
  const params = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    setPending(true)
    setError(null)
    const r = await signIn('credentials', { email: String(form.get('email')), password: String(form.get('password')), redirect: false })
    setPending(false)
    if (!r || r.error) return setError('Email or password is wrong.')
    router.push(params.get('callbackUrl') ?? '/')
    router.refresh()
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="email" required autoFocus />
      </Field>
      <Field label="Password" htmlFor="password">
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
      <p className="text-center text-sm text-slate-600">
        New to Outlay?{' '}
        <Link href="/signup" className="font-medium text-brand-600 hover:underline">
          Create an organization
        </Link>
      </p>
    </form>
  )
}
