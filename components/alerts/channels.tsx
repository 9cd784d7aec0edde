'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { useDates } from '@/components/layout/time-zone'
import { Fragment, useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Select, Skeleton } from '@/components/ui'
import { useChannels, useCreateChannel, useDeleteChannel, useDeliveries, useRotateSecret, useSendTest } from '@/components/alerts/queries'
import type { TChannel } from '@/lib/notifications/channels'
import { formatMs } from '@/lib/format'

// Where alerts go: webhooks (signed, retried, logged) and email (through the
// SMTP server the workers are configured with), each with "send test" and its
// delivery log. Admins and engineers manage them and see a webhook's whole URL;
// other members see its host only. A signing secret is shown once, when the
// webhook is added or its secret rotated.

const STATUS_STYLE: Record<string, string> = {
  delivered: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  pending: 'bg-amber-50 text-amber-900 ring-amber-200',
  failed: 'bg-red-50 text-red-800 ring-red-200',
}

export function Channels({ org, canEdit }: { org: string; canEdit: boolean }) {
  const channels = useChannels(org)
  const rows = channels.data?.channels ?? null
  return (
    <Card
      title="Notification channels"
      subtitle="Drift alerts, and budgets that name no channel, go to the default channels; a budget can name its own (Notify, in the budget's form). Muted alerts go nowhere."
    >
      {channels.error && <Alert>Could not load channels: {channels.error.message}</Alert>}
      {channels.data && !channels.data.email_configured && (
        <div className="mb-3">
          <Alert tone="info">
            Email is not configured on this server: set <code>SMTP_URL</code> for the workers; until then email channels log a failed delivery.
          </Alert>
        </div>
      )}
      {rows ? (
        rows.length ? (
          <ul className="divide-y divide-slate-100" data-testid="channels">
            {rows.map((c) => (
              <ChannelRow key={c.id} org={org} c={c} canEdit={canEdit} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">
            No channel yet: alerts are listed here only. {canEdit ? 'Add a webhook or email addresses below.' : 'An admin or engineer can add one.'}
          </p>
        )
      ) : (
        <Skeleton className="h-16" />
      )}
      {canEdit && <ChannelForm org={org} />}
    </Card>
  )
}

function ChannelRow({ org, c, canEdit }: { org: string; c: TChannel; canEdit: boolean }) {
  const test = useSendTest(org)
  const del = useDeleteChannel(org)
  const rotate = useRotateSecret(org)
  const [showLog, setShowLog] = useState(false)
  return (
    <li className="space-y-2 py-3" data-channel={c.name}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium text-slate-900">{c.name}</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{c.type}</span>
        {c.is_default && <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs text-brand-700">default</span>}
        <span
          className="min-w-0 truncate text-slate-600"
          data-channel-target
          title={c.url_redacted ? 'Only admins and engineers see the whole URL' : undefined}
        >
          {c.type === 'webhook' ? c.url : c.emails.join(', ')}
        </span>
        {c.last_delivery && (
          <span className={`rounded px-1.5 py-0.5 text-xs ring-1 ${STATUS_STYLE[c.last_delivery.status]}`} data-last-delivery={c.last_delivery.status}>
            last: {c.last_delivery.status}
            {c.last_delivery.status_code ? ` (${c.last_delivery.status_code})` : ''}
          </span>
        )}
        <span className="ml-auto flex flex-wrap gap-2">
          {canEdit && (
            <Button
              variant="secondary"
              className="px-2 py-1 text-xs"
              disabled={test.isPending}
              onClick={() => {
                setShowLog(true)
                test.mutate(c.id)
              }}
              aria-label={`Send a test to ${c.name}`}
            >
              {test.isPending ? 'Sending…' : 'Send test'}
            </Button>
          )}
          <Button
            variant="secondary"
            className="px-2 py-1 text-xs"
            aria-expanded={showLog}
            onClick={() => setShowLog(!showLog)}
            aria-label={`Delivery log of ${c.name}`}
          >
            {showLog ? 'Hide log' : 'Delivery log'}
          </Button>
          {canEdit && c.type === 'webhook' && (
            <Button
              variant="secondary"
              className="px-2 py-1 text-xs"
              disabled={rotate.isPending}
              onClick={() => rotate.mutate(c.id)}
              aria-label={`Rotate the signing secret of ${c.name}`}
            >
              Rotate secret
            </Button>
          )}
          {canEdit && (
            <Button
              variant="danger"
              className="px-2 py-1 text-xs"
              disabled={del.isPending}
              onClick={() => del.mutate(c.id)}
              aria-label={`Delete the channel ${c.name}`}
            >
              Delete
            </Button>
          )}
        </span>
      </div>
      {c.type === 'webhook' && (
        <p className="text-xs text-slate-500">
          {c.url_redacted ? (
            'Signed with HMAC-SHA256; only admins and engineers see the whole URL.'
          ) : (
            <>
              Signing secret {c.secret_hint} (stored encrypted, shown only when made): check the <code>Outlay-Signature</code> header (docs/alerts.md,
              "Webhooks").
            </>
          )}
        </p>
      )}
      {rotate.data?.secret && (
        <div className="space-y-1 rounded-md border border-emerald-200 bg-emerald-50 p-3" role="status">
          <p className="text-xs font-medium text-emerald-900">
            New signing secret for “{c.name}”, shown once: give it to the receiver now. The old one no longer signs.
          </p>
          <code data-testid="rotated-secret" className="block overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs">
            {rotate.data.secret}
          </code>
        </div>
      )}
      {(test.error || del.error || rotate.error) && <Alert>{(test.error ?? del.error ?? rotate.error)!.message}</Alert>}
      {showLog && <DeliveryLog org={org} channel={c} />}
    </li>
  )
}

function DeliveryLog({ org, channel }: { org: string; channel: TChannel }) {
  const { dateTime: when } = useDates()
  const log = useDeliveries(org, channel.id)
  const rows = log.data?.deliveries ?? null
  // a delivery's attempts stay together under it: the rows sort by the delivery's columns
  const sorter = useSort(rows, {
    sent: (d) => Date.parse(d.created_at),
    what: (d) => (d.alert_id ? d.subject : 'Test notification'),
    status: (d) => d.status,
    attempts: (d) => d.attempt_log.length,
  })
  if (log.error) return <Alert>Could not load the delivery log: {log.error.message}</Alert>
  if (!rows) return <Skeleton className="h-16" />
  if (!rows.length) return <p className="text-sm text-slate-600">Nothing sent to {channel.name} yet. “Send test” sends one now.</p>
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" aria-label={`Deliveries to ${channel.name}`} data-testid="delivery-log">
        <thead className="text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="sent" className="py-1 pr-3 font-medium">
              Sent
            </SortTh>
            <SortTh sorter={sorter} k="what" className="pr-3 font-medium">
              What
            </SortTh>
            <SortTh sorter={sorter} k="status" className="pr-3 font-medium">
              Status
            </SortTh>
            <SortTh sorter={sorter} k="attempts" className="pr-3 font-medium">
              Attempt
            </SortTh>
            <th className="pr-3 font-medium">Response</th>
            <th className="pr-3 font-medium">Duration</th>
            <th className="font-medium">Error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {sorter.rows.map((d) => (
            <Fragment key={d.id}>
              {(d.attempt_log.length ? d.attempt_log : [null]).map((t, i) => (
                <tr key={`${d.id}-${i}`} data-delivery={d.id} data-status={d.status}>
                  <td className="py-1 pr-3 whitespace-nowrap">{when(t?.at ?? d.created_at)}</td>
                  <td className="pr-3">{i === 0 ? (d.alert_id ? d.subject : 'Test notification') : ''}</td>
                  <td className="pr-3">{i === 0 && <span className={`rounded px-1.5 py-0.5 ring-1 ${STATUS_STYLE[d.status]}`}>{d.status}</span>}</td>
                  <td className="pr-3 num">{t ? `${t.attempt}${t.ok ? ' ✓' : ''}` : 'queued'}</td>
                  <td className="pr-3 num" data-status-code>
                    {t?.status_code ?? (t ? (channel.type === 'email' && t.ok ? 'accepted' : 'no response') : '—')}
                  </td>
                  <td className="pr-3 num">{t ? formatMs(t.duration_ms) : '—'}</td>
                  <td className="text-red-700">{t?.error ?? ''}</td>
                </tr>
              ))}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function ChannelForm({ org }: { org: string }) {
  const create = useCreateChannel(org)
  const [type, setType] = useState<'webhook' | 'email'>('webhook')
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [emails, setEmails] = useState('')
  const [isDefault, setIsDefault] = useState(true)
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null)
  const lines = create.error instanceof ApiError ? create.error.lines : []
  const errorOf = (f: string) => lines.find((l) => l.startsWith(`${f}:`) || l.startsWith(`${f}.`))?.replace(/^[^:]+: /, '')
  const other = create.error && !lines.some((l) => /^(name|type|url|emails)[:.]/.test(l)) ? lines.join('; ') || create.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const body =
      type === 'webhook'
        ? { name, type, url: url.trim(), is_default: isDefault }
        : {
            name,
            type,
            emails: emails
              .split(/[,\s]+/)
              .map((s) => s.trim())
              .filter(Boolean),
            is_default: isDefault,
          }
    create.mutate(body, {
      onSuccess: (r) => {
        setCreated(r.secret ? { name: r.channel.name, secret: r.secret } : null)
        setName('')
        setUrl('')
        setEmails('')
      },
    })
  }

  return (
    <div className="mt-5 border-t border-slate-100 pt-4">
      <h3 className="mb-3 text-sm font-semibold text-slate-900">Add a channel</h3>
      <form onSubmit={onSubmit} aria-label="New channel" noValidate className="grid gap-4 md:grid-cols-[1fr_10rem_2fr_auto] md:items-start">
        <Field label="Channel name" htmlFor="ch-name" error={errorOf('name')}>
          <Input id="ch-name" value={name} onChange={(e) => setName(e.target.value)} invalid={!!errorOf('name')} placeholder="On-call webhook" />
        </Field>
        <Field label="Type" htmlFor="ch-type">
          <Select id="ch-type" value={type} onChange={(e) => setType(e.target.value as 'webhook' | 'email')} className="w-full py-2">
            <option value="webhook">Webhook</option>
            <option value="email">Email</option>
          </Select>
        </Field>
        {type === 'webhook' ? (
          <Field label="Webhook URL" htmlFor="ch-url" error={errorOf('url')} hint="Outlay POSTs JSON here, signed with HMAC-SHA256">
            <Input
              id="ch-url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              invalid={!!errorOf('url')}
              placeholder="https://hooks.example.com/outlay"
              inputMode="url"
            />
          </Field>
        ) : (
          <Field label="Email addresses" htmlFor="ch-emails" error={errorOf('emails')} hint="Comma-separated, up to 20">
            <Input
              id="ch-emails"
              value={emails}
              onChange={(e) => setEmails(e.target.value)}
              invalid={!!errorOf('emails')}
              placeholder="finance@example.com, oncall@example.com"
            />
          </Field>
        )}
        <div className="space-y-2 md:pt-6">
          <label className="flex items-center gap-2 text-sm whitespace-nowrap">
            <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> Default channel
          </label>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add channel'}
          </Button>
        </div>
      </form>
      {other && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {other}
        </p>
      )}
      {created && (
        <div className="mt-4 space-y-1 rounded-md border border-emerald-200 bg-emerald-50 p-4" role="status">
          <p className="text-sm font-medium text-emerald-900">
            Webhook “{created.name}” added. Its signing secret, shown once here: copy it to the receiver now (it is stored encrypted and never shown again;
            “Rotate secret” makes a new one).
          </p>
          <code data-testid="new-channel-secret" className="block overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm">
            {created.secret}
          </code>
        </div>
      )}
    </div>
  )
}
