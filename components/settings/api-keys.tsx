'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { apiFetch, ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Select, Skeleton } from '@/components/ui'
import type { TApiKeyView } from '@/lib/auth/api-keys'

export const keyQueries = {
  all: (org: string) => ['keys', org] as const,
}

function useApiKeys(org: string) {
  return useQuery({
    queryKey: keyQueries.all(org),
    queryFn: ({ signal }) => apiFetch<{ api_keys: TApiKeyView[] }>(`/api/v1/keys?org=${encodeURIComponent(org)}`, { signal }),
  })
}

export function ApiKeys({ org }: { org: string }) {
  const qc = useQueryClient()
  const keys = useApiKeys(org)
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null)
  const [copied, setCopied] = useState(false)

  const create = useMutation({
    mutationFn: (body: { name: string; scopes: string[]; default_environment?: string }) =>
      apiFetch<{ key: string; api_key: TApiKeyView }>(`/api/v1/keys?org=${encodeURIComponent(org)}`, { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (r) => {
      setCreated({ key: r.key, name: r.api_key.name })
      setCopied(false)
      void qc.invalidateQueries({ queryKey: keyQueries.all(org) })
    },
  })
  const revoke = useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/keys/${id}?org=${encodeURIComponent(org)}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keyQueries.all(org) }),
  })

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const scopes = ['ingest', 'read', 'write'].filter((s) => f.get(`scope_${s}`) === 'on')
    const env = String(f.get('default_environment') ?? '')
    create.mutate({ name: String(f.get('name') ?? ''), scopes, ...(env ? { default_environment: env } : {}) })
  }

  const err = create.error instanceof ApiError ? create.error : null
  const fieldErr = (f: string) => err?.lines.find((l) => l.startsWith(`${f}:`))?.slice(f.length + 2)

  return (
    <div className="space-y-6">
      <Card title="Create an API key" subtitle="The key is shown once. Outlay stores only its hash.">
        <form onSubmit={onSubmit} className="grid gap-4 lg:grid-cols-[2fr_3fr_1.5fr_auto] lg:items-end" aria-label="Create an API key">
          <Field label="Name" htmlFor="key-name" error={fieldErr('name')}>
            <Input id="key-name" name="name" placeholder="e.g. support-agent production" required invalid={!!fieldErr('name')} />
          </Field>
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium text-slate-700">Scopes</legend>
            <div className="flex gap-4 py-2 text-sm">
              <label className="flex items-center gap-1.5"><input type="checkbox" name="scope_ingest" defaultChecked /> ingest (send events)</label>
              <label className="flex items-center gap-1.5"><input type="checkbox" name="scope_read" /> read (metrics)</label>
              <label className="flex items-center gap-1.5"><input type="checkbox" name="scope_write" /> write (prices)</label>
            </div>
            {fieldErr('scopes') && <p role="alert" className="text-xs text-red-700">{fieldErr('scopes')}</p>}
          </fieldset>
          <Field label="Default environment" htmlFor="key-env" hint="For events that don't say.">
            <Select id="key-env" name="default_environment" defaultValue="" className="w-full py-2">
              <option value="">production (default)</option>
              <option value="staging">staging</option>
              <option value="development">development</option>
            </Select>
          </Field>
          <Button type="submit" disabled={create.isPending}>{create.isPending ? 'Creating…' : 'Create key'}</Button>
        </form>
        {create.error && !fieldErr('name') && !fieldErr('scopes') && <div className="mt-3"><Alert>{create.error.message}</Alert></div>}
        {created && (
          <div className="mt-4 space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4" role="status">
            <p className="text-sm font-medium text-emerald-900">Key “{created.name}” created. Copy it now: it will not be shown again.</p>
            <div className="flex items-center gap-2">
              <code data-testid="new-api-key" className="flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm">{created.key}</code>
              <Button type="button" variant="secondary" onClick={() => void navigator.clipboard?.writeText(created.key).then(() => setCopied(true))}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            </div>
            <pre className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{`curl -X POST ${typeof window !== 'undefined' ? window.location.origin : ''}/api/v1/events \\
  -H "Authorization: Bearer ${created.key}" -H "Content-Type: application/json" \\
  -d '{"events":[{"id":"evt-1","workflow_id":"support-agent","step":"generate","provider":"openai","model":"gpt-4o-mini","tokens_in":1200,"tokens_out":300}]}'`}</pre>
          </div>
        )}
      </Card>

      <Card title="API keys">
        {keys.isPending ? (
          <div className="space-y-2"><Skeleton className="h-8" /><Skeleton className="h-8" /></div>
        ) : keys.error ? (
          <Alert>Could not load API keys: {keys.error.message}</Alert>
        ) : keys.data.api_keys.length === 0 ? (
          <p className="text-sm text-slate-600">No API keys yet. Create one above to start sending events.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2">Name</th><th>Key</th><th>Scopes</th><th>Default env.</th><th>Created</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.api_keys.map((k) => (
                <tr key={k.id} className={k.revoked_at ? 'text-slate-400' : ''}>
                  <td className="py-2 font-medium">{k.name}</td>
                  <td className="font-mono">{k.prefix}…</td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>{k.default_environment ?? 'production'}</td>
                  <td>{new Date(k.created_at).toLocaleDateString()}</td>
                  <td>{k.last_used_at ? new Date(k.last_used_at).toLocaleString() : 'never'}</td>
                  <td className="text-right">
                    {k.revoked_at ? (
                      <span>revoked</span>
                    ) : (
                      <Button type="button" variant="danger" className="px-2 py-1 text-xs" disabled={revoke.isPending}
                        onClick={() => { if (confirm(`Revoke “${k.name}”? Services using it will get 401.`)) revoke.mutate(k.id) }}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {revoke.error && <div className="mt-3"><Alert>{revoke.error.message}</Alert></div>}
      </Card>
    </div>
  )
}
