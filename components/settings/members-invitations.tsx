'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { When } from '@/components/layout/time-zone'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { callApi } from '@/components/api'
import * as api from '@/lib/members/api'
import { Alert, Button, Card, Field, Input, Select, Skeleton, InlineConfirm } from '@/components/ui'
import { MEMBER_ROLES, ZCreateInvitation, type TCreatedInvitation, type TCreateInvitation } from '@/lib/members/schema'
import { issuesToLines } from '@/lib/validation'
import { fieldError, memberQueries, ROLE_HINTS, roleLabel, useInvitations } from '@/components/settings/members-queries'

function CopyLink({ url, label }: { url: string; label: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <Button
      type="button"
      variant="secondary"
      className="px-2 py-1 text-xs"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard?.writeText(url).then(
          () => setCopied(true),
          () => undefined,
        )
      }
    >
      {copied ? 'Copied' : 'Copy link'}
    </Button>
  )
}

/** Invite by email with a role; the link is shown (always copyable) and emailed when SMTP is configured. */
export function InviteForm({ org }: { org: string }) {
  const qc = useQueryClient()
  const [localErrors, setLocalErrors] = useState<Partial<Record<'email' | 'role', string>>>({})
  const [made, setMade] = useState<TCreatedInvitation | null>(null)
  const create = useMutation({
    mutationFn: (body: TCreateInvitation) => callApi(api.createInvitation, { org, body }),
    onSuccess: (r) => {
      setMade(r)
      void qc.invalidateQueries({ queryKey: memberQueries.invitations(org) })
    },
  })

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const body = { email: String(f.get('email') ?? ''), role: String(f.get('role') ?? '') }
    setMade(null)
    const local = ZCreateInvitation.safeParse(body)
    if (!local.success) {
      const out: Partial<Record<'email' | 'role', string>> = {}
      for (const l of issuesToLines(local.error.issues)) {
        const [k, ...rest] = l.split(': ')
        if (k === 'email' || k === 'role') out[k] ??= rest.join(': ')
      }
      return setLocalErrors(out)
    }
    setLocalErrors({})
    create.mutate(local.data, { onSuccess: () => form.reset() })
  }

  const serverErr = fieldError(create.error)
  const err = (f: 'email' | 'role') => localErrors[f] ?? serverErr(f)
  return (
    <Card title="Invite someone" subtitle="They get a link that works once, for 7 days, for this email address only.">
      <form onSubmit={onSubmit} noValidate aria-label="Invite a member" className="grid gap-4 sm:grid-cols-[3fr_2fr_auto] sm:items-start">
        <Field label="Email" htmlFor="invite-email" error={err('email')}>
          <Input id="invite-email" name="email" type="email" autoComplete="off" placeholder="name@company.com" required invalid={!!err('email')} />
        </Field>
        <Field label="Role" htmlFor="invite-role" error={err('role')}>
          <Select id="invite-role" name="role" defaultValue="viewer" className="w-full py-2" aria-invalid={!!err('role') || undefined}>
            {MEMBER_ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)} — {ROLE_HINTS[r]}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" disabled={create.isPending} className="sm:mt-6">
          {create.isPending ? 'Inviting…' : 'Send invitation'}
        </Button>
      </form>
      {create.error && !err('email') && !err('role') && (
        <div className="mt-3">
          <Alert>{create.error.message}</Alert>
        </div>
      )}
      {made && (
        <div className="mt-4 space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4" role="status">
          <p className="text-sm text-emerald-900">
            {made.email} is invited as {roleLabel(made.role)}.{' '}
            {made.emailed
              ? 'An email with the link is on its way; you can also copy it:'
              : 'Email is not configured on this server: copy the link and send it to them.'}
          </p>
          <div className="flex items-center gap-2">
            <code data-testid="invitation-url" className="flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-xs">
              {made.url}
            </code>
            <CopyLink url={made.url} label={`Copy the invitation link for ${made.email}`} />
          </div>
        </div>
      )}
    </Card>
  )
}

/** Pending (and expired) invitations, with revoke. The link itself is shown once, when it is made: only its hash is stored. */
export function PendingInvitations({ org }: { org: string }) {
  const qc = useQueryClient()
  const invitations = useInvitations(org, true)
  const sorter = useSort(invitations.data?.invitations, {
    email: (i) => i.email,
    role: (i) => roleLabel(i.role),
    by: (i) => i.invited_by,
    expires: (i) => (i.status === 'expired' ? null : Date.parse(i.expires_at)),
  })
  const [confirming, setConfirming] = useState<string | null>(null)
  const [fresh, setFresh] = useState<TCreatedInvitation | null>(null)
  // Only the link's hash is stored: "copy link" issues a new link for the same email and role (the old one stops working).
  const reissue = useMutation({
    mutationFn: (i: { email: string; role: TCreateInvitation['role'] }) => callApi(api.createInvitation, { org, body: i }),
    onSuccess: (r) => {
      setFresh(r)
      void navigator.clipboard?.writeText(r.url).catch(() => undefined)
      void qc.invalidateQueries({ queryKey: memberQueries.invitations(org) })
    },
  })
  const revoke = useMutation({
    mutationFn: (id: string) => callApi(api.revokeInvitation, { org, params: { id } }),
    onSuccess: () => {
      setConfirming(null)
      void qc.invalidateQueries({ queryKey: memberQueries.invitations(org) })
    },
  })
  return (
    <Card
      title="Pending invitations"
      subtitle="Revoking one stops its link at once. Links are stored hashed: “Copy link” makes a new one (the previous link stops working)."
    >
      {fresh && (
        <div className="mb-4 flex items-center gap-2 rounded-md border border-emerald-200 bg-emerald-50 p-3" role="status">
          <span className="text-sm text-emerald-900">New link for {fresh.email} (copied):</span>
          <code data-testid="reissued-invitation-url" className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs">
            {fresh.url}
          </code>
          <CopyLink url={fresh.url} label={`Copy the new invitation link for ${fresh.email}`} />
        </div>
      )}
      {invitations.isPending ? (
        <Skeleton className="h-8" />
      ) : invitations.error ? (
        <Alert>Could not load invitations: {invitations.error.message}</Alert>
      ) : invitations.data.invitations.length === 0 ? (
        <p className="text-sm text-slate-600">No pending invitations.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="email" className="py-2">
                Email
              </SortTh>
              <SortTh sorter={sorter} k="role">
                Role
              </SortTh>
              <SortTh sorter={sorter} k="by">
                Invited by
              </SortTh>
              <SortTh sorter={sorter} k="expires">
                Expires
              </SortTh>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {sorter.rows.map((i) => (
              <tr key={i.id} data-testid={`invitation-${i.email}`} className={i.status === 'expired' ? 'text-slate-400' : ''}>
                <td className="py-2 font-medium">{i.email}</td>
                <td>{roleLabel(i.role)}</td>
                <td>{i.invited_by ?? '—'}</td>
                <td>{i.status === 'expired' ? 'expired' : <When t={i.expires_at} />}</td>
                <td className="whitespace-nowrap py-1 text-right">
                  {confirming === i.id ? (
                    <InlineConfirm
                      label={`Confirm revoking the invitation of ${i.email}`}
                      action="Revoke invitation"
                      pendingText="Revoking…"
                      pending={revoke.isPending}
                      onConfirm={() => revoke.mutate(i.id)}
                      onCancel={() => setConfirming(null)}
                    />
                  ) : (
                    <span className="inline-flex gap-2">
                      <Button
                        type="button"
                        variant="secondary"
                        className="px-2 py-1 text-xs"
                        aria-label={`Copy a new invitation link for ${i.email}`}
                        disabled={reissue.isPending}
                        onClick={() => reissue.mutate({ email: i.email, role: i.role })}
                      >
                        Copy link
                      </Button>
                      <Button
                        type="button"
                        variant="danger"
                        className="px-2 py-1 text-xs"
                        aria-label={`Revoke the invitation of ${i.email}`}
                        onClick={() => {
                          revoke.reset()
                          setConfirming(i.id)
                        }}
                      >
                        Revoke
                      </Button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(revoke.error ?? reissue.error) && (
        <div className="mt-3">
          <Alert>{(revoke.error ?? reissue.error)!.message}</Alert>
        </div>
      )}
    </Card>
  )
}
