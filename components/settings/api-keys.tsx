'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { useDates, When } from '@/components/layout/time-zone'
import { DAY_MS, DEFAULT_ENVIRONMENT } from '@/lib/domain'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react'
import { callApi, ApiError } from '@/components/api'
import * as api from '@/lib/auth/api'
import { Alert, Button, Card, Field, Input, Select, Skeleton, InlineConfirm } from '@/components/ui'
import { KEY_SCOPES, SCOPE_LABELS, type TApiKeyView, type TCreateApiKey, type TRotateApiKey } from '@/lib/auth/keys-schema'

export const keyQueries = {
  all: (org: string) => ['keys', org] as const,
}

function useApiKeys(org: string) {
  return useQuery({
    queryKey: keyQueries.all(org),
    queryFn: ({ signal }) => callApi(api.listApiKeys, { org, signal }),
  })
}

/** "field: reason" lines of an API error, by field. */
function fieldErrors(error: unknown): (field: string) => string | undefined {
  const err = error instanceof ApiError ? error : null
  return (f) => err?.lines.find((l) => l.startsWith(`${f}:`))?.slice(f.length + 2)
}

/** A Date as the value of a datetime-local input (local time, minutes). */
function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

function creator(k: TApiKeyView): string {
  if (k.created_by) return k.created_by.name ?? k.created_by.email
  return k.created_by_label ?? 'unknown'
}

function lifetime(k: TApiKeyView, when: (t: string) => string): string {
  if (k.revoked_at) return `revoked ${when(k.revoked_at)}`
  if (!k.expires_at) return 'never expires'
  const past = new Date(k.expires_at).getTime() <= Date.now()
  if (k.replaced_by_id) return past ? `rotated; stopped ${when(k.expires_at)}` : `rotated; works until ${when(k.expires_at)}`
  return past ? `expired ${when(k.expires_at)}` : `expires ${when(k.expires_at)}`
}

function NewKey({ title, rawKey, children }: { title: string; rawKey: string; children?: ReactNode }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="mt-4 space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4" role="status">
      <p className="text-sm font-medium text-emerald-900">{title} Copy it now: it will not be shown again.</p>
      <div className="flex items-center gap-2">
        <code data-testid="new-api-key" className="flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm">
          {rawKey}
        </code>
        <Button type="button" variant="secondary" onClick={() => void navigator.clipboard?.writeText(rawKey).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      {children}
    </div>
  )
}

export function ApiKeys({ org }: { org: string }) {
  const { dateTime: when } = useDates()
  const qc = useQueryClient()
  const keys = useApiKeys(org)
  const sorter = useSort(keys.data?.api_keys, {
    name: (k) => k.name,
    key: (k) => k.prefix,
    scopes: (k) => k.scopes.join(', '),
    env: (k) => k.default_environment ?? DEFAULT_ENVIRONMENT,
    created: (k) => Date.parse(k.created_at),
    expiry: (k) => (k.expires_at ? Date.parse(k.expires_at) : null),
    used: (k) => (k.last_used_at ? Date.parse(k.last_used_at) : null),
  })
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null)
  const [rotated, setRotated] = useState<{ key: string; name: string; oldPrefix: string; oldEnds: string } | null>(null)
  const [rotating, setRotating] = useState<TApiKeyView | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  const refresh = () => void qc.invalidateQueries({ queryKey: keyQueries.all(org) })

  const create = useMutation({
    mutationFn: (body: TCreateApiKey) => callApi(api.createApiKey, { org, body }),
    onSuccess: (r) => {
      setCreated({ key: r.key, name: r.api_key.name })
      setRotated(null)
      refresh()
    },
  })
  const rotate = useMutation({
    mutationFn: ({ id, body }: { id: string; body: TRotateApiKey }) => callApi(api.rotateApiKey, { org, params: { id }, body }),
    onSuccess: (r) => {
      setRotated({ key: r.key, name: r.api_key.name, oldPrefix: r.previous.prefix, oldEnds: r.previous.expires_at! })
      setCreated(null)
      setRotating(null)
      refresh()
    },
  })
  const revoke = useMutation({
    mutationFn: (id: string) => callApi(api.revokeApiKey, { org, params: { id } }),
    onSuccess: () => {
      setConfirming(null)
      refresh()
    },
  })

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const scopes = KEY_SCOPES.filter((s) => f.get(`scope_${s}`) === 'on')
    const env = String(f.get('default_environment') ?? '') as TCreateApiKey['default_environment'] | ''
    const expires = String(f.get('expires_on') ?? '')
    create.mutate({
      name: String(f.get('name') ?? ''),
      scopes,
      ...(env ? { default_environment: env } : {}),
      // the end of the chosen day, in the user's time zone
      ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
    })
  }

  function onRotate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (!rotating) return
    const f = new FormData(e.currentTarget)
    const until = String(f.get('overlap_until') ?? '')
    const expires = String(f.get('expires_on') ?? '')
    rotate.mutate({
      id: rotating.id,
      body: {
        ...(until ? { overlap_until: new Date(until).toISOString() } : {}),
        ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      },
    })
  }

  function closeRotate() {
    const id = rotating?.id
    setRotating(null)
    rotate.reset()
    // back to the button that opened it, for keyboard users
    if (id) setTimeout(() => document.getElementById(`rotate-${id}`)?.focus(), 0)
  }

  function cancelRevoke(id: string) {
    setConfirming(null)
    revoke.reset()
    setTimeout(() => document.getElementById(`revoke-${id}`)?.focus(), 0)
  }

  const fieldErr = fieldErrors(create.error)
  const rotateErr = fieldErrors(rotate.error)
  const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10)
  const now = new Date()

  return (
    <div className="space-y-6">
      <Card title="Create an API key" subtitle="The key is shown once. Outlay stores only its hash.">
        <form onSubmit={onSubmit} className="grid gap-4 lg:grid-cols-[2fr_3fr_1.5fr_1.5fr_auto] lg:items-end" aria-label="Create an API key">
          <Field label="Name" htmlFor="key-name" error={fieldErr('name')}>
            <Input id="key-name" name="name" placeholder="e.g. support-agent production" required invalid={!!fieldErr('name')} />
          </Field>
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium text-slate-700">Scopes</legend>
            <div className="flex flex-wrap gap-4 py-2 text-sm">
              {KEY_SCOPES.map((s) => (
                <label key={s} className="flex items-center gap-1.5">
                  <input type="checkbox" name={`scope_${s}`} defaultChecked={s === 'ingest'} /> {SCOPE_LABELS[s]}
                </label>
              ))}
            </div>
            {fieldErr('scopes') && (
              <p role="alert" className="text-xs text-red-700">
                {fieldErr('scopes')}
              </p>
            )}
          </fieldset>
          <Field label="Default environment" htmlFor="key-env" hint="For events that don't say.">
            <Select id="key-env" name="default_environment" defaultValue="" className="w-full py-2">
              <option value="">production (default)</option>
              <option value="staging">staging</option>
              <option value="development">development</option>
            </Select>
          </Field>
          <Field label="Expires on" htmlFor="key-expires" hint="Optional: empty for no expiry." error={fieldErr('expires_at')}>
            <Input id="key-expires" name="expires_on" type="date" min={tomorrow} invalid={!!fieldErr('expires_at')} />
          </Field>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </Button>
        </form>
        {create.error && !fieldErr('name') && !fieldErr('scopes') && !fieldErr('expires_at') && (
          <div className="mt-3">
            <Alert>{create.error.message}</Alert>
          </div>
        )}
        {created && (
          <NewKey title={`Key “${created.name}” created.`} rawKey={created.key}>
            <pre className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{`curl -X POST ${typeof window !== 'undefined' ? window.location.origin : ''}/api/v1/events \\
  -H "Authorization: Bearer ${created.key}" -H "Content-Type: application/json" \\
  -d '{"events":[{"id":"evt-1","workflow_id":"support-agent","step":"generate","provider":"openai","model":"gpt-4o-mini","tokens_in":1200,"tokens_out":300}]}'`}</pre>
          </NewKey>
        )}
      </Card>

      <Card title="API keys">
        {rotated && (
          <div className="mb-4">
            <NewKey title={`Key “${rotated.name}” rotated: this is the new key.`} rawKey={rotated.key}>
              <p className="text-sm text-emerald-900" data-testid="rotation-old-key-end">
                The old key ({rotated.oldPrefix}…) keeps working until {when(rotated.oldEnds)}, then stops. Move your services to the new key before then.
              </p>
            </NewKey>
          </div>
        )}
        {rotating && (
          <form
            onSubmit={onRotate}
            onKeyDown={(e: KeyboardEvent) => e.key === 'Escape' && closeRotate()}
            aria-label={`Rotate “${rotating.name}”`}
            className="mb-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4"
          >
            <p className="text-sm text-slate-700">
              Rotating <strong>{rotating.name}</strong> ({rotating.prefix}…) makes a new key with the same scopes and environment. The old key keeps working
              until the time you choose, then stops.
            </p>
            <div className="grid max-w-xl gap-4 sm:grid-cols-2">
              <Field label="Old key works until" htmlFor="rotate-until" hint="At most 30 days from now." error={rotateErr('overlap_until')}>
                <Input
                  id="rotate-until"
                  name="overlap_until"
                  type="datetime-local"
                  autoFocus
                  required
                  defaultValue={localInputValue(new Date(now.getTime() + DAY_MS))}
                  min={localInputValue(now)}
                  max={localInputValue(new Date(now.getTime() + 30 * DAY_MS))}
                  invalid={!!rotateErr('overlap_until')}
                />
              </Field>
              <Field label="New key expires on" htmlFor="rotate-expires" hint="Optional: empty for no expiry." error={rotateErr('expires_at')}>
                <Input id="rotate-expires" name="expires_on" type="date" min={tomorrow} invalid={!!rotateErr('expires_at')} />
              </Field>
            </div>
            {rotate.error && !rotateErr('overlap_until') && !rotateErr('expires_at') && <Alert>{rotate.error.message}</Alert>}
            <div className="flex gap-2">
              <Button type="submit" disabled={rotate.isPending}>
                {rotate.isPending ? 'Rotating…' : 'Rotate key'}
              </Button>
              <Button type="button" variant="secondary" onClick={closeRotate}>
                Cancel
              </Button>
            </div>
          </form>
        )}
        {keys.isPending ? (
          <div className="space-y-2">
            <Skeleton className="h-8" />
            <Skeleton className="h-8" />
          </div>
        ) : keys.error ? (
          <Alert>Could not load API keys: {keys.error.message}</Alert>
        ) : keys.data.api_keys.length === 0 ? (
          <p className="text-sm text-slate-600">No API keys yet. Create one above to start sending events.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <SortTh sorter={sorter} k="name" className="py-2">
                    Name
                  </SortTh>
                  <SortTh sorter={sorter} k="key">
                    Key
                  </SortTh>
                  <SortTh sorter={sorter} k="scopes">
                    Scopes
                  </SortTh>
                  <SortTh sorter={sorter} k="env">
                    Default env.
                  </SortTh>
                  <SortTh sorter={sorter} k="created">
                    Created
                  </SortTh>
                  <SortTh sorter={sorter} k="expiry">
                    Expiry
                  </SortTh>
                  <SortTh sorter={sorter} k="used">
                    Last used
                  </SortTh>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {sorter.rows.map((k) => (
                  <tr key={k.id} className={k.status === 'active' ? '' : 'text-slate-400'} data-testid={`api-key-${k.prefix}`}>
                    <td className="py-2 font-medium">{k.name}</td>
                    <td className="font-mono">{k.prefix}…</td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{k.default_environment ?? DEFAULT_ENVIRONMENT}</td>
                    <td>
                      <When t={k.created_at} kind="date" /> by {creator(k)}
                    </td>
                    <td>{lifetime(k, when)}</td>
                    <td>{k.last_used_at ? when(k.last_used_at) : 'never'}</td>
                    <td className="whitespace-nowrap py-1 text-right">
                      {k.status !== 'active' ? (
                        <span>{k.status}</span>
                      ) : confirming === k.id ? (
                        <InlineConfirm
                          label={`Confirm revoking “${k.name}”`}
                          note="Services using it will get 401."
                          action={`Revoke “${k.name}”`}
                          pendingText="Revoking…"
                          pending={revoke.isPending}
                          onConfirm={() => revoke.mutate(k.id)}
                          onCancel={() => cancelRevoke(k.id)}
                        />
                      ) : (
                        <span className="inline-flex gap-2">
                          {!k.replaced_by_id && (
                            <Button
                              type="button"
                              variant="secondary"
                              className="px-2 py-1 text-xs"
                              id={`rotate-${k.id}`}
                              aria-label={`Rotate “${k.name}” (${k.prefix}…)`}
                              onClick={() => {
                                rotate.reset()
                                setRotating(k)
                              }}
                            >
                              Rotate
                            </Button>
                          )}
                          <Button
                            type="button"
                            variant="danger"
                            className="px-2 py-1 text-xs"
                            id={`revoke-${k.id}`}
                            aria-label={`Revoke “${k.name}” (${k.prefix}…)`}
                            onClick={() => {
                              revoke.reset()
                              setConfirming(k.id)
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
          </div>
        )}
        {revoke.error && (
          <div className="mt-3">
            <Alert>{revoke.error.message}</Alert>
          </div>
        )}
      </Card>
    </div>
  )
}
