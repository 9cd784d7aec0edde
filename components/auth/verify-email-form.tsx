'use client'
import { useState } from 'react'
import Link from 'next/link'
import { Alert, Button } from '@/components/ui'
import { postJson, retryMessage } from '@/components/auth/form-helpers'

// A button, not a request on page load: mail scanners that open links must not spend the token.
export function VerifyEmailForm({ token }: { token: string }) {
  const [state, setState] = useState<'idle' | 'pending' | 'done'>('idle')
  const [error, setError] = useState<string | null>(null)

  async function confirm() {
    setState('pending')
    setError(null)
    const r = await postJson('/api/auth/verify-email', { token })
    if (r.ok) return setState('done')
    setState('idle')
    setError(
      r.status === 429
        ? retryMessage(r.data.error?.details?.retry_after_s ?? 60)
        : 'This link is invalid, already used or expired: sign in to ask for a new one.',
    )
  }

  if (state === 'done') {
    return (
      <div className="space-y-4">
        <Alert tone="success">Your email is verified.</Alert>
        <Link
          href="/signin?verified=1"
          className="inline-flex w-full items-center justify-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700"
        >
          Sign in
        </Link>
      </div>
    )
  }
  return (
    <div className="space-y-4">
      {error && <Alert>{error}</Alert>}
      <Button type="button" onClick={confirm} disabled={state === 'pending'} className="w-full" autoFocus>
        {state === 'pending' ? 'Confirming…' : 'Confirm my email'}
      </Button>
    </div>
  )
}
