'use client'
import { signIn, signOut } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import Link from 'next/link'
import { Alert, Button, Field, Input } from '@/components/ui'
import { fieldErrors, postJson, retryMessage } from '@/components/auth/form-helpers'
import { ZAcceptInvitation, ZAcceptedInvitation } from '@/lib/members/schema'
import { landingPath } from '@/lib/auth/permissions'
import { issuesToLines } from '@/lib/validation'

type TField = 'name' | 'password'
export type TInviteMode = 'join' | 'wrong_user' | 'sign_in' | 'sign_up'

/** The invitation page's action: join as the signed-in user, sign a new person up, or say what to do first. */
export function InvitationAccept(p: {
  token: string
  mode: TInviteMode
  email: string
  orgName: string
  orgSlug: string
  role: string
  signedInAs: string | null
}) {
  const router = useRouter()
  const [errors, setErrors] = useState<Partial<Record<TField, string>>>({})
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  const here = `/invite/${p.token}`

  /** The path to land on once joined (the role's landing page: customer success on Accounts), or null on failure. */
  async function accept(body: { token: string; name?: string; password?: string }): Promise<string | null> {
    const r = await postJson('/api/invitations/accept', body)
    if (r.ok) {
      const joined = ZAcceptedInvitation.safeParse(r.data)
      // the organization's root redirects to the landing page of whatever role the membership has
      return joined.success ? landingPath(joined.data.org_slug, joined.data.role) : `/${p.orgSlug}`
    }
    if (r.status === 429) setError(retryMessage(r.data.error?.details?.retry_after_s ?? 60))
    else {
      setErrors(fieldErrors<TField>(r.data.error?.details?.errors))
      setError(r.data.error?.message ?? 'Could not accept the invitation.')
    }
    return null
  }

  function land(path: string) {
    router.push(path)
    router.refresh()
  }

  async function join() {
    setError(null)
    setPending(true)
    try {
      const to = await accept({ token: p.token })
      if (to) land(to)
    } finally {
      setPending(false)
    }
  }

  async function signUp(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const body = { token: p.token, name: String(f.get('name') ?? '').trim(), password: String(f.get('password') ?? '') }
    setError(null)
    const local = ZAcceptInvitation.required({ name: true, password: true }).safeParse(body)
    if (!local.success) return setErrors(fieldErrors<TField>(issuesToLines(local.error.issues)))
    setErrors({})
    setPending(true)
    try {
      const to = await accept(body)
      if (!to) return
      const s = await signIn('credentials', { email: p.email, password: body.password, redirect: false })
      if (!s || s.error) return setError('You joined, but signing in failed: try the sign-in page.')
      land(to)
    } finally {
      setPending(false)
    }
  }

  if (p.mode === 'wrong_user') {
    return (
      <div className="space-y-4">
        <Alert>
          This invitation is for {p.email}, and you are signed in as {p.signedInAs}. It can only be used by {p.email}: sign out and open the link again, or ask
          an admin of {p.orgName} to invite {p.signedInAs}.
        </Alert>
        <Button type="button" variant="secondary" onClick={() => signOut({ callbackUrl: here })}>
          Sign out
        </Button>
      </div>
    )
  }

  if (p.mode === 'sign_in') {
    return (
      <div className="space-y-4">
        <p className="text-sm text-slate-700">
          {p.email} already has an Outlay account. Sign in with it, then you join {p.orgName}.
        </p>
        <Link
          href={`/signin?callbackUrl=${encodeURIComponent(here)}`}
          className="block w-full rounded-md bg-brand-600 px-4 py-2 text-center text-sm font-medium text-white hover:bg-brand-700"
        >
          Sign in as {p.email}
        </Link>
      </div>
    )
  }

  if (p.mode === 'join') {
    return (
      <div className="space-y-4">
        {error && <Alert>{error}</Alert>}
        <p className="text-sm text-slate-700">Signed in as {p.signedInAs}.</p>
        <Button type="button" className="w-full" disabled={pending} onClick={join} autoFocus>
          {pending ? 'Joining…' : `Join ${p.orgName}`}
        </Button>
      </div>
    )
  }

  return (
    <form onSubmit={signUp} className="space-y-4" noValidate aria-label={`Join ${p.orgName}`}>
      {error && <Alert>{error}</Alert>}
      <Field label="Email" htmlFor="email" hint="The invitation is for this address.">
        <Input id="email" name="email" type="email" value={p.email} readOnly autoComplete="username" />
      </Field>
      <Field label="Your name" htmlFor="name" error={errors.name}>
        <Input id="name" name="name" autoComplete="name" required autoFocus invalid={!!errors.name} />
      </Field>
      <Field label="Password" htmlFor="password" error={errors.password} hint="At least 10 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" required invalid={!!errors.password} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? 'Joining…' : `Create account and join ${p.orgName}`}
      </Button>
    </form>
  )
}
