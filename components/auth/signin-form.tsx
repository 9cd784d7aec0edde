'use client'
import { signIn } from 'next-auth/react'
import { useRouter, useSearchParams } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { z } from 'zod'
import { Alert, Button, Field, Input } from '@/components/ui'
import { safeCallbackPath } from '@/lib/auth/redirect'
import { fieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'
import { issuesToLines } from '@/lib/validation'

type TField = 'email' | 'password'
const ZForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'is required')
    .pipe(z.email({ error: 'must be a valid email address' })),
  password: z.string().min(1, 'is required'),
})

// Errors a single sign-on brings back in `?error=` (lib/auth/options.ts SSO_ERRORS; the others are next-auth's own).
const SSO_MESSAGES: Record<string, string> = {
  SsoNoAccount:
    'No Outlay account uses the email of your single sign-on account, and no organization lets its email domain join. Ask an admin of your organization to invite you or to allow your domain.',
  SsoUnverified: 'Your identity provider has not verified your email address, so Outlay cannot sign you in with it.',
}
const NEXTAUTH_SSO_ERRORS = ['SsoInvalid', 'OAuthSignin', 'OAuthCallback', 'OAuthAccountNotLinked', 'Callback', 'AccessDenied', 'Configuration']
function ssoError(code: string | null): string | null {
  if (!code) return null
  if (SSO_MESSAGES[code]) return SSO_MESSAGES[code]
  return NEXTAUTH_SSO_ERRORS.includes(code) ? 'Single sign-on did not complete. Try again, or sign in with your email and password.' : null
}

export function SignInForm({ sso }: { sso: { name: string } | null }) {
  const router = useRouter()
  const params = useSearchParams()
  const [errors, setErrors] = useState<Partial<Record<TField, string>>>({})
  const [error, setError] = useState<string | null>(ssoError(params.get('error')))
  const [unverified, setUnverified] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(
    params.get('reset') ? 'Your password was changed: sign in with the new one.' : params.get('verified') ? 'Your email is verified: sign in.' : null,
  )
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const body = { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }
    setError(null)
    setUnverified(null)
    setNotice(null)
    const local = ZForm.safeParse(body)
    if (!local.success) return setErrors(fieldErrors<TField>(issuesToLines(local.error.issues)))
    setErrors({})
    setPending(true)
    const r = await signIn('credentials', { ...body, redirect: false }).catch(() => null)
    setPending(false)
    if (!r) return setError('Could not reach Outlay. Check your connection and try again.')
    if (r.error) {
      if (r.error.startsWith('throttled:')) return setError(retryMessage(Number(r.error.split(':')[1]) || 60, 'sign-in attempts'))
      if (r.error === 'unverified') return setUnverified(body.email.trim())
      return setError('Email or password is wrong.')
    }
    // only a path of this app: never an address someone put in the link
    router.push(safeCallbackPath(params.get('callbackUrl')))
    router.refresh()
  }

  async function signInWithSso() {
    setError(null)
    setPending(true)
    // next-auth sends the browser to the provider and back to /api/auth/callback/oidc, then to callbackUrl
    await signIn('oidc', { callbackUrl: safeCallbackPath(params.get('callbackUrl')) }).catch(() => {
      setPending(false)
      setError('Could not reach Outlay. Check your connection and try again.')
    })
  }

  async function resend() {
    if (!unverified) return
    const r = await postJson('/api/auth/verify-email/resend', { email: unverified })
    if (r.ok) setNotice(`We sent a new link to ${unverified}. It works for 24 hours.`)
    else
      setError(
        r.data.error?.details?.retry_after_s
          ? retryMessage(r.data.error.details.retry_after_s, 'email requests')
          : (r.data.error?.message ?? 'Could not send a new link.'),
      )
    setUnverified(null)
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {unverified && (
        <Alert tone="warning">
          Verify your email first: open the link we sent to {unverified}.{' '}
          <button type="button" onClick={resend} className="font-medium underline">
            Send a new link
          </button>
        </Alert>
      )}
      <Field label="Email" htmlFor="email" error={errors.email}>
        <Input id="email" name="email" type="email" autoComplete="email" required autoFocus invalid={!!errors.email} />
      </Field>
      <Field label="Password" htmlFor="password" error={errors.password}>
        <Input id="password" name="password" type="password" autoComplete="current-password" required invalid={!!errors.password} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
      {sso && (
        <>
          <p className="text-center text-xs uppercase tracking-wide text-slate-500">or</p>
          {/* a link: it takes the browser to the identity provider (and leaves the form's "Sign in" button the only one) */}
          <a
            href="/signin"
            onClick={(e) => {
              e.preventDefault()
              if (!pending) void signInWithSso()
            }}
            aria-disabled={pending || undefined}
            className="flex w-full items-center justify-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 transition hover:bg-slate-50 aria-disabled:opacity-60"
          >
            Sign in with {sso.name}
          </a>
        </>
      )}
      <p className="flex justify-between text-sm text-slate-600">
        <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
          Forgot your password?
        </Link>
        <Link href="/signup" className="font-medium text-brand-600 hover:underline">
          Create an organization
        </Link>
      </p>
    </form>
  )
}
