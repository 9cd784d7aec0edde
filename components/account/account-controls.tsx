'use client'
import { signIn, signOut } from 'next-auth/react'
import { useState, type FormEvent } from 'react'
import { Alert, Button, Card, Field, Input } from '@/components/ui'
import { ZChangePassword } from '@/lib/auth/schema'
import { issuesToLines } from '@/lib/validation'
import { fieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'

type TField = 'current_password' | 'new_password' | 'confirm'

/**
 * Change password: every session of the user ends (the server bumps the
 * session version), then this browser signs in again with the new password,
 * so only the other devices are signed out.
 */
export function ChangePasswordForm({ email }: { email: string }) {
  const [errors, setErrors] = useState<Partial<Record<TField, string>>>({})
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const body = { current_password: String(f.get('current_password') ?? ''), new_password: String(f.get('new_password') ?? '') }
    setError(null)
    setDone(false)
    const local = ZChangePassword.safeParse(body)
    const errs = local.success ? {} : fieldErrors<TField>(issuesToLines(local.error.issues))
    if (String(f.get('confirm') ?? '') !== body.new_password) errs.confirm = 'does not match the new password'
    setErrors(errs)
    if (Object.keys(errs).length) return
    setPending(true)
    try {
      const r = await postJson('/api/account/password', body)
      if (r.status === 429) return setError(retryMessage(r.data.error?.details?.retry_after_s ?? 60, 'wrong passwords'))
      if (!r.ok) {
        setErrors(fieldErrors<TField>(r.data.error?.details?.errors))
        return setError(r.data.error?.message ?? 'Could not change the password.')
      }
      const s = await signIn('credentials', { email, password: body.new_password, redirect: false }).catch(() => null)
      if (!s || s.error) return void (window.location.href = '/signin?reset=1')
      form.reset()
      setDone(true)
    } finally {
      setPending(false)
    }
  }

  return (
    <Card title="Change password" subtitle="Every other device you are signed in on is signed out.">
      <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate>
        {error && <Alert>{error}</Alert>}
        {done && <Alert tone="success">Password changed. Your other sessions are signed out.</Alert>}
        <Field label="Current password" htmlFor="current_password" error={errors.current_password}>
          <Input id="current_password" name="current_password" type="password" autoComplete="current-password" required invalid={!!errors.current_password} />
        </Field>
        <Field label="New password" htmlFor="new_password" error={errors.new_password} hint="At least 10 characters.">
          <Input id="new_password" name="new_password" type="password" autoComplete="new-password" required invalid={!!errors.new_password} />
        </Field>
        <Field label="Repeat the new password" htmlFor="confirm" error={errors.confirm}>
          <Input id="confirm" name="confirm" type="password" autoComplete="new-password" required invalid={!!errors.confirm} />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Change password'}
        </Button>
      </form>
    </Card>
  )
}

export function SignOutEverywhere() {
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  async function run() {
    setPending(true)
    setError(null)
    const r = await postJson('/api/account/sign-out-everywhere')
    if (!r.ok && r.status !== 401) {
      setPending(false)
      return setError(r.data.error?.message ?? 'Could not sign out everywhere.')
    }
    await signOut({ callbackUrl: '/signin' })
  }
  return (
    <Card title="Sign out everywhere" subtitle="Ends every session of your account, on every device, this one included.">
      {error && (
        <div className="mb-3">
          <Alert>{error}</Alert>
        </div>
      )}
      <Button type="button" variant="danger" onClick={run} disabled={pending}>
        {pending ? 'Signing out…' : 'Sign out everywhere'}
      </Button>
    </Card>
  )
}
