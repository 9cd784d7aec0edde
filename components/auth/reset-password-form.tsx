'use client'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'
import { ZNewPassword } from '@/lib/auth/schema'
import { fieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'

type TField = 'password' | 'confirm' | 'token'

export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter()
  const [errors, setErrors] = useState<Partial<Record<TField, string>>>({})
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const password = String(f.get('password') ?? '')
    const confirm = String(f.get('confirm') ?? '')
    setError(null)
    const p = ZNewPassword.safeParse(password)
    const local: Partial<Record<TField, string>> = {}
    if (!p.success) local.password = p.error.issues[0].message
    if (confirm !== password) local.confirm = 'does not match the new password'
    setErrors(local)
    if (Object.keys(local).length) return
    setPending(true)
    const r = await postJson('/api/auth/password-reset/confirm', { token, password })
    setPending(false)
    if (r.ok) return router.push('/signin?reset=1')
    if (r.status === 429) return setError(retryMessage(r.data.error?.details?.retry_after_s ?? 60))
    const fe = fieldErrors<TField>(r.data.error?.details?.errors)
    setErrors(fe)
    setError(fe.token ? 'This link is invalid, already used or expired.' : (r.data.error?.message ?? 'Could not set the password.'))
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && (
        <Alert>
          {error}{' '}
          {errors.token && (
            <Link href="/forgot-password" className="font-medium underline">
              Ask for a new link
            </Link>
          )}
        </Alert>
      )}
      <Field label="New password" htmlFor="password" error={errors.password} hint="At least 10 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" required autoFocus invalid={!!errors.password} />
      </Field>
      <Field label="Repeat the new password" htmlFor="confirm" error={errors.confirm}>
        <Input id="confirm" name="confirm" type="password" autoComplete="new-password" required invalid={!!errors.confirm} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Saving…' : 'Set the new password'}
      </Button>
      <p className="text-xs text-slate-500">Setting it signs you out on every device.</p>
    </form>
  )
}
