'use client'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'
import { ZPasswordResetRequest } from '@/lib/auth/schema'
import { issuesToLines } from '@/lib/validation'
import { fieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'

export function ForgotPasswordForm() {
  const [errors, setErrors] = useState<{ email?: string }>({})
  const [error, setError] = useState<string | null>(null)
  const [sentTo, setSentTo] = useState<string | null>(null)
  const [pending, setPending] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const body = { email: String(new FormData(e.currentTarget).get('email') ?? '') }
    setError(null)
    const local = ZPasswordResetRequest.safeParse(body)
    if (!local.success) return setErrors(fieldErrors<'email'>(issuesToLines(local.error.issues)))
    setErrors({})
    setPending(true)
    const r = await postJson('/api/auth/password-reset', local.data)
    setPending(false)
    if (r.ok) return setSentTo(local.data.email)
    if (r.status === 429) return setError(retryMessage(r.data.error?.details?.retry_after_s ?? 60, 'reset requests'))
    setErrors(fieldErrors<'email'>(r.data.error?.details?.errors))
    setError(r.data.error?.message ?? 'Could not send the link.')
  }

  if (sentTo) {
    return (
      <div className="space-y-4">
        <Alert tone="success">If an account uses {sentTo}, we sent it a link to choose a new password. The link works once, for 1 hour.</Alert>
        <p className="text-sm text-slate-600">
          <Link href="/signin" className="font-medium text-brand-600 hover:underline">
            Back to sign in
          </Link>
        </p>
      </div>
    )
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field label="Email" htmlFor="email" error={errors.email}>
        <Input id="email" name="email" type="email" autoComplete="email" required autoFocus invalid={!!errors.email} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Sending…' : 'Email me a reset link'}
      </Button>
      <p className="text-center text-sm text-slate-600">
        <Link href="/signin" className="font-medium text-brand-600 hover:underline">
          Back to sign in
        </Link>
      </p>
    </form>
  )
}
