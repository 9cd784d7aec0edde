'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { When } from '@/components/layout/time-zone'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError, callApi } from '@/components/api'
import * as gatewayApi from '@/lib/gateway/api'
import { Alert, Button, Card, Field, Input, Skeleton } from '@/components/ui'
import { formatCount, formatMs, formatUsd } from '@/lib/format'
import type { TPutGatewayProviders } from '@/lib/gateway/schema'

// Settings › Gateway: the organization's upstreams (keys masked), the SDK snippets with this deployment's base URL,
// and the latest calls through the gateway, polled.

export const gatewayQueries = {
  providers: (org: string) => ['gateway', 'providers', org] as const,
  calls: (org: string) => ['gateway', 'calls', org] as const,
}

function useProviders(org: string) {
  return useQuery({
    queryKey: gatewayQueries.providers(org),
    queryFn: ({ signal }) => callApi(gatewayApi.listGatewayProviders, { org, signal }),
  })
}

function useGatewayCalls(org: string) {
  return useQuery({
    queryKey: gatewayQueries.calls(org),
    queryFn: ({ signal }) => callApi(gatewayApi.gatewayCalls, { org, query: { limit: '20' }, signal }),
    refetchInterval: 2_000,
  })
}

function Providers({ org }: { org: string }) {
  const qc = useQueryClient()
  const providers = useProviders(org)
  const [saved, setSaved] = useState<string | null>(null)
  // the index of the provider the form sent in the list it PUT (its errors read "providers.<i>.<field>: reason")
  const [sentAt, setSentAt] = useState<number | null>(null)
  const put = useMutation({
    mutationFn: (body: TPutGatewayProviders) => callApi(gatewayApi.putGatewayProviders, { org, body }),
    onSuccess: (r) => qc.setQueryData(gatewayQueries.providers(org), r),
  })
  // the others keep their stored keys: sent without api_key
  const others = (except: string) =>
    (providers.data?.providers ?? []).filter((p) => p.provider !== except).map((p) => ({ provider: p.provider, base_url: p.base_url }))

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const provider = String(f.get('provider') ?? '').trim()
    const key = String(f.get('api_key') ?? '')
    setSaved(null)
    setSentAt(others(provider).length)
    put.mutate(
      { providers: [...others(provider), { provider, base_url: String(f.get('base_url') ?? '').trim(), ...(key ? { api_key: key } : {}) }] },
      {
        onSuccess: () => {
          setSaved(provider)
          form.reset()
        },
      },
    )
  }
  const lines = put.error instanceof ApiError ? put.error.lines : []
  // each of the sent provider's errors under its field; any other (a stored provider's, or the whole list's) in the alert
  const prefix = sentAt === null ? null : `providers.${sentAt}.`
  const fieldError = (field: string) => {
    const l = prefix === null ? undefined : lines.find((x) => x.startsWith(`${prefix}${field}: `))
    return l?.slice(`${prefix}${field}: `.length)
  }
  const underField = (l: string) => prefix !== null && l.startsWith(prefix) && /^(provider|base_url|api_key): /.test(l.slice(prefix.length))
  const otherLines = lines.filter((l) => !underField(l))
  const sorter = useSort(providers.data?.providers, { provider: (p) => p.provider, base_url: (p) => p.base_url, updated: (p) => Date.parse(p.updated_at) })

  return (
    <Card
      title="Upstream providers"
      subtitle="Where the gateway sends calls, with which key. Keys are stored encrypted and shown masked; saving a provider again with a new key rotates it."
    >
      {providers.isPending ? (
        <Skeleton className="h-16" />
      ) : providers.error ? (
        <Alert>{providers.error.message}</Alert>
      ) : (
        <table className="mb-4 w-full text-left text-sm" aria-label="Upstream providers">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="provider" className="py-1">
                Provider
              </SortTh>
              <SortTh sorter={sorter} k="base_url">
                Base URL
              </SortTh>
              <th scope="col">Key</th>
              <SortTh sorter={sorter} k="updated">
                Updated
              </SortTh>
              <th />
            </tr>
          </thead>
          <tbody>
            {providers.data.providers.length === 0 && (
              <tr>
                <td colSpan={5} className="py-2 text-slate-500">
                  No provider yet: add one below.
                </td>
              </tr>
            )}
            {sorter.rows.map((p) => (
              <tr key={p.provider} className="border-t border-slate-100">
                <td className="py-1.5 font-medium">{p.provider}</td>
                <td className="font-mono text-xs">{p.base_url}</td>
                <td className="font-mono text-xs" data-testid={`masked-key-${p.provider}`}>
                  {p.api_key}
                </td>
                <td className="text-xs text-slate-500">
                  <When t={p.updated_at} />
                </td>
                <td className="text-right">
                  <Button
                    type="button"
                    variant="secondary"
                    disabled={put.isPending}
                    onClick={() => {
                      setSentAt(null)
                      put.mutate({ providers: others(p.provider) })
                    }}
                    aria-label={`Remove ${p.provider}`}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={onSubmit} aria-label="Add or update a provider" className="grid gap-4 lg:grid-cols-[1.2fr_2.5fr_2fr_auto] lg:items-end">
        <Field label="Provider" htmlFor="gw-provider" hint="openai, anthropic, or a name for any OpenAI-compatible server" error={fieldError('provider')}>
          <Input id="gw-provider" name="provider" required placeholder="openai" list="gw-provider-names" invalid={!!fieldError('provider')} />
        </Field>
        <datalist id="gw-provider-names">
          <option value="openai" />
          <option value="anthropic" />
          <option value="azure" />
          <option value="openrouter" />
          <option value="vllm" />
        </datalist>
        <Field label="Base URL" htmlFor="gw-base-url" hint="OpenAI-compatible: …/v1; Anthropic: https://api.anthropic.com" error={fieldError('base_url')}>
          <Input id="gw-base-url" name="base_url" required placeholder="https://api.openai.com/v1" invalid={!!fieldError('base_url')} />
        </Field>
        <Field label="API key" htmlFor="gw-api-key" hint="Empty: keep the stored key" error={fieldError('api_key')}>
          <Input id="gw-api-key" name="api_key" type="password" autoComplete="off" invalid={!!fieldError('api_key')} />
        </Field>
        <Button type="submit" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save provider'}
        </Button>
      </form>
      {put.error && (lines.length === 0 || otherLines.length > 0) && (
        <div className="mt-3">
          <Alert>{lines.length ? otherLines.join('; ') : put.error.message}</Alert>
        </div>
      )}
      {saved && (
        <div className="mt-3">
          <Alert tone="success">Provider “{saved}” saved.</Alert>
        </div>
      )}
    </Card>
  )
}

function snippets(base: string): { id: string; title: string; code: string }[] {
  const oa = `${base}/api/v1/gateway/openai/v1`
  const an = `${base}/api/v1/gateway/anthropic`
  return [
    {
      id: 'ts-openai',
      title: 'TypeScript · openai',
      code: `import OpenAI from 'openai'

const openai = new OpenAI({ baseURL: '${oa}', apiKey: process.env.OUTLAY_API_KEY })
const r = await openai.chat.completions.create(
  { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] },
  { headers: { 'x-outlay-workflow-id': 'support-agent', 'x-outlay-step': 'generate' } },
)`,
    },
    {
      id: 'ts-anthropic',
      title: 'TypeScript · @anthropic-ai/sdk',
      code: `import Anthropic from '@anthropic-ai/sdk'

const anthropic = new Anthropic({ baseURL: '${an}', apiKey: process.env.OUTLAY_API_KEY })
const m = await anthropic.messages.create(
  { model: 'claude-haiku-4-5', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] },
  { headers: { 'x-outlay-workflow-id': 'support-agent', 'x-outlay-step': 'classify' } },
)`,
    },
    {
      id: 'py-openai',
      title: 'Python · openai',
      code: `import os
from openai import OpenAI

client = OpenAI(base_url="${oa}", api_key=os.environ["OUTLAY_API_KEY"])
r = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello"}],
    extra_headers={"x-outlay-workflow-id": "support-agent", "x-outlay-step": "generate"},
)`,
    },
    {
      id: 'py-anthropic',
      title: 'Python · anthropic',
      code: `import os
from anthropic import Anthropic

client = Anthropic(base_url="${an}", api_key=os.environ["OUTLAY_API_KEY"])
m = client.messages.create(
    model="claude-haiku-4-5", max_tokens=512,
    messages=[{"role": "user", "content": "Hello"}],
    extra_headers={"x-outlay-workflow-id": "support-agent", "x-outlay-step": "classify"},
)`,
    },
  ]
}

function Snippet({ id, title, code }: { id: string; title: string; code: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-medium text-slate-700">{title}</h3>
        <Button
          type="button"
          variant="secondary"
          aria-label={`Copy the ${title} snippet`}
          onClick={() => void navigator.clipboard?.writeText(code).then(() => setCopied(true))}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <pre data-testid={`snippet-${id}`} className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">
        {code}
      </pre>
    </div>
  )
}

function Snippets({ baseUrl }: { baseUrl: string | null }) {
  // NEXTAUTH_URL when set; else the address this page was opened at
  const [base, setBase] = useState(baseUrl ?? '')
  useEffect(() => {
    if (!baseUrl) setBase(window.location.origin)
  }, [baseUrl])
  return (
    <Card
      title="Point your SDK at Outlay"
      subtitle="Use an Outlay API key with the gateway scope (Settings › API keys). Every call is measured; the x-outlay-* headers attribute it (without a workflow and step it is recorded as unlabeled)."
    >
      <div className="grid gap-4 lg:grid-cols-2">
        {snippets(base).map((s) => (
          <Snippet key={s.id} {...s} />
        ))}
      </div>
    </Card>
  )
}

function LiveCalls({ org }: { org: string }) {
  const calls = useGatewayCalls(org)
  const sorter = useSort(calls.data?.calls, {
    when: (c) => Date.parse(c.timestamp),
    api: (c) => c.api,
    step: (c) => `${c.workflow_id} · ${c.step}`,
    model: (c) => c.model,
    outcome: (c) => c.outcome,
    tokens: (c) => c.tokens_in + c.tokens_out,
    latency: (c) => c.latency_ms,
    cost: (c) => moneyKey(c.cost_usd),
  })
  return (
    <Card title="Last calls through the gateway" subtitle="Refreshed every 2 seconds. Each upstream attempt is one row; costs use your prices.">
      {calls.isPending ? (
        <Skeleton className="h-24" />
      ) : calls.error ? (
        <Alert>{calls.error.message}</Alert>
      ) : calls.data.calls.length === 0 ? (
        <p className="text-sm text-slate-500">No call yet.</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Last calls through the gateway">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="when" className="py-1">
                When
              </SortTh>
              <SortTh sorter={sorter} k="api">
                API
              </SortTh>
              <SortTh sorter={sorter} k="step">
                Workflow · step
              </SortTh>
              <SortTh sorter={sorter} k="model">
                Model
              </SortTh>
              <SortTh sorter={sorter} k="outcome">
                Outcome
              </SortTh>
              <SortTh sorter={sorter} k="tokens" className="text-right">
                Tokens in / out
              </SortTh>
              <SortTh sorter={sorter} k="latency" className="text-right">
                Latency
              </SortTh>
              <SortTh sorter={sorter} k="cost" className="text-right">
                Cost
              </SortTh>
            </tr>
          </thead>
          <tbody>
            {sorter.rows.map((c) => (
              <tr key={c.id} className="border-t border-slate-100" data-testid="gateway-call">
                <td className="py-1.5 text-xs text-slate-500">
                  <When t={c.timestamp} kind="time" />
                </td>
                <td className="text-xs">{c.api}</td>
                <td>
                  {c.workflow_id} · {c.step}
                </td>
                <td className="font-mono text-xs">{c.model}</td>
                <td>
                  {c.outcome}
                  {c.attempt && c.attempt > 1 ? ` (attempt ${c.attempt})` : ''}
                  {c.response_cache_hit ? (
                    <span className="ml-1 text-xs text-emerald-700" data-testid="gateway-cache-hit">
                      · cache hit{c.response_cache_savings_usd === null ? '' : ` · saved ${formatUsd(c.response_cache_savings_usd, { precise: true })}`}
                    </span>
                  ) : null}
                </td>
                <td className="text-right tabular-nums">
                  {formatCount(c.tokens_in)} / {formatCount(c.tokens_out)}
                </td>
                <td className="text-right tabular-nums">{formatMs(c.latency_ms)}</td>
                <td className="text-right tabular-nums">{c.cost_usd === null ? 'unpriced' : formatUsd(c.cost_usd, { precise: true })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  )
}

export function Gateway({ org, baseUrl }: { org: string; baseUrl: string | null }) {
  return (
    <div className="space-y-6">
      <Providers org={org} />
      <Snippets baseUrl={baseUrl} />
      <LiveCalls org={org} />
    </div>
  )
}
