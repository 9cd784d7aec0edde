'use client'
import { SortSelect, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { useDates } from '@/components/layout/time-zone'
import Link from 'next/link'
import { useState } from 'react'
import { Alert, Button, Card, Field, Kpi, Select, Skeleton } from '@/components/ui'
import { useAck, useAlertList, useAlertSettings, useChannels, useMute, useMutes, useUnmute } from '@/components/alerts/queries'
import { Channels } from '@/components/alerts/channels'
import { DriftSettings } from '@/components/alerts/settings'
import type { TAlert } from '@/lib/alerts'
import { ALERT_KINDS } from '@/lib/alerts/detectors'
import { BudgetScope } from '@/components/budgets/budget-scope'
import { ALERT_STATES } from '@/lib/alerts/schema'
import { alertPath, alertStatus, KIND_LABEL, LINK_LABEL } from '@/lib/alerts/view'

// The question an engineer or a finance lead brings here: "what went wrong
// with spend, is someone on it, and where do I look?" Every alert, budget and
// drift, newest first; acknowledge, mute its source, open the page that explains it.

const MUTE_CHOICES = [
  [1, '1 hour'],
  [4, '4 hours'],
  [24, '24 hours'],
  [24 * 7, '7 days'],
  [24 * 30, '30 days'],
] as const
const STATUS_STYLE: Record<string, string> = {
  open: 'bg-red-50 text-red-800 ring-red-200',
  acknowledged: 'bg-slate-50 text-slate-700 ring-slate-200',
  muted: 'bg-violet-50 text-violet-800 ring-violet-200',
  resolved: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
}
const STATE_LABEL: Record<string, string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Recovered', muted: 'Muted' }

export function Alerts({ org, canEdit, canConfigure }: { org: string; canEdit: boolean; canConfigure: boolean }) {
  const [kind, setKind] = useState('')
  const [state, setState] = useState('')
  const list = useAlertList(org, { kind, state })
  const open = useAlertList(org, { state: 'open' })
  const mutes = useMutes(org)
  const channels = useChannels(org)
  // the organization's own margins; until they are read (or when the read failed) the text names no figure
  const drift = useAlertSettings(org).data?.settings
  const pct = (v: number) => `${Number((v * 100).toFixed(2))}%`
  const margin = (k: 'cost_per_outcome_margin' | 'tokens_per_call_margin' | 'calls_per_run_margin' | 'cache_hit_rate_drop') =>
    drift ? pct(drift[k]) : 'by more than its margin'
  const rows = list.data?.alerts ?? null
  const sorter = useSort(rows, {
    fired: (a) => a.fired_at,
    kind: (a) => KIND_LABEL[a.kind],
    subject: (a) => a.subject,
    actual: (a) => moneyKey(a.actual_usd),
  })
  const filtered = !!kind || !!state

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Alerts</h1>
        <p className="text-sm text-slate-600">
          Budget thresholds crossed and drift found on the hourly rollups: cost per accepted outcome against its 4-week baseline, input tokens per call, models
          without a price, and hourly spend against the same hour on previous weeks. Each fires once per period and recovers when the condition goes away.
          Evaluated every 30 seconds; times are UTC.
        </p>
      </div>

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-3">
        <Kpi
          label="Open alerts"
          value={open.data ? String(open.data.alerts.length) : open.error ? '—' : null}
          testId="kpi-open"
          warn={(open.data?.alerts.length ?? 0) > 0}
          hint={open.error ? `Could not load: ${open.error.message}` : 'Not acknowledged, muted or recovered'}
        />
        <Kpi
          label="Muted sources"
          value={mutes.data ? String(mutes.data.mutes.length) : mutes.error ? '—' : null}
          testId="kpi-muted"
          hint="Recorded, not notified"
        />
        <Kpi
          label="Notification channels"
          value={channels.data ? String(channels.data.channels.length) : channels.error ? '—' : null}
          testId="kpi-channels"
          hint="Webhooks and email"
        />
      </section>

      <Card
        title="Alerts"
        subtitle="Newest first. The link on each opens the page that explains it."
        actions={
          <div className="flex flex-wrap items-end gap-3">
            <SortSelect
              id="alerts-sort"
              sorter={sorter}
              defaultLabel="Newest first"
              options={[
                { key: 'fired', label: 'Fired', desc: 'newest first', asc: 'oldest first' },
                { key: 'kind', label: 'Kind', desc: 'Z → A', asc: 'A → Z' },
                { key: 'subject', label: 'Subject', desc: 'Z → A', asc: 'A → Z' },
                { key: 'actual', label: 'Amount', desc: 'largest first', asc: 'smallest first' },
              ]}
            />
            <Field label="Kind" htmlFor="f-kind">
              <Select id="f-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="">All kinds</option>
                {ALERT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="State" htmlFor="f-state">
              <Select id="f-state" value={state} onChange={(e) => setState(e.target.value)}>
                <option value="">Any state</option>
                {ALERT_STATES.map((s) => (
                  <option key={s} value={s}>
                    {STATE_LABEL[s]}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
        }
      >
        {list.error && <Alert>Could not load alerts: {list.error.message}</Alert>}
        {rows ? (
          rows.length ? (
            <ul className="divide-y divide-slate-100" data-testid="alert-list">
              {sorter.rows.map((a) => (
                <AlertRow key={a.id} org={org} a={a} canEdit={canEdit} />
              ))}
            </ul>
          ) : filtered ? (
            <p className="text-sm text-slate-600">
              No alert of this kind and state.{' '}
              <button
                type="button"
                className="font-medium text-brand-600 hover:underline"
                onClick={() => {
                  setKind('')
                  setState('')
                }}
              >
                Show every alert
              </button>
            </p>
          ) : (
            <div className="space-y-2 text-sm text-slate-700" data-testid="alerts-empty">
              <p>No alerts yet. They appear here within a minute of what fires them:</p>
              <ul className="list-disc space-y-1 pl-5">
                <li>
                  a budget crossing one of its thresholds:{' '}
                  <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/budgets`}>
                    create a budget
                  </Link>
                  ;
                </li>
                <li>
                  a workflow whose cost per accepted outcome rises {margin('cost_per_outcome_margin')} over its 4-week baseline (send outcomes to{' '}
                  <code>POST /api/v1/outcomes</code>), or a step whose input or output tokens per call grow {margin('tokens_per_call_margin')} over its baseline
                  (settings below);
                </li>
                <li>
                  a workflow whose calls per run grow {margin('calls_per_run_margin')} (send <code>run_id</code>), a step whose prompt-cache hit rate falls{' '}
                  {margin('cache_hit_rate_drop')} below its baseline, and a feature above its{' '}
                  <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/features`}>
                    cost SLO
                  </Link>
                  ;
                </li>
                <li>a model without a price, and an hour whose spend is far above the same hour on previous weeks.</li>
              </ul>
              <p>Add a channel below to be told by webhook or email.</p>
            </div>
          )
        ) : (
          <Skeleton className="h-40" />
        )}
      </Card>

      <MutesCard org={org} canEdit={canEdit} />

      <Channels org={org} canEdit={canConfigure} />

      <DriftSettings org={org} canEdit={canConfigure} />
    </div>
  )
}

/** A budget alert's scope (recorded in its details since alerts link to what they watch); null when it has none or watches the whole organization. */
function budgetScopeOf(a: TAlert) {
  const s = a.details.scope as Record<string, string | null> | undefined
  if (!s || !(s.environment || s.workflow_id || s.account_id || s.feature)) return null
  return { environment: s.environment ?? null, workflow_id: s.workflow_id ?? null, account_id: s.account_id ?? null, feature: s.feature ?? null }
}

function AlertRow({ org, a, canEdit }: { org: string; a: TAlert; canEdit: boolean }) {
  const { dateTime: when } = useDates()
  const ack = useAck(org)
  const mute = useMute(org)
  const [muting, setMuting] = useState(false)
  const [hours, setHours] = useState(24)
  // Keyboard: opening the mute controls puts the focus on its duration; Cancel or Escape closes them and gives it back
  const muteButtonId = `mute-open-${a.id}`
  const closeMute = () => {
    setMuting(false)
    setTimeout(() => document.getElementById(muteButtonId)?.focus(), 0)
  }
  const status = alertStatus(a)
  const subject = a.kind === 'budget' ? (a.budget_name ?? a.subject) : a.subject
  return (
    <li className="space-y-1.5 py-3" data-alert-id={a.id} data-kind={a.kind} data-status={status} data-subject={subject}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">{KIND_LABEL[a.kind]}</span>
        {a.state === 'exceeded' && <span className="rounded bg-red-600 px-1.5 py-0.5 text-xs font-medium text-white">exceeded</span>}
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${STATUS_STYLE[status]}`} data-status-label>
          {status === 'resolved'
            ? `Recovered ${when(a.resolved_at!)}`
            : status === 'muted'
              ? a.muted_until
                ? `Muted until ${when(a.muted_until)}`
                : 'Fired while muted'
              : STATE_LABEL[status]}
        </span>
        <span className="ml-auto text-xs text-slate-500">Fired {when(a.fired_at)}</span>
      </div>
      <p className="text-sm font-medium text-slate-900">{a.title}</p>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Link className="font-medium text-brand-600 hover:underline" href={alertPath(org, a)}>
          {LINK_LABEL[a.kind]} →
        </Link>
        {a.kind === 'budget' && budgetScopeOf(a) && (
          <span className="text-slate-600">
            watches <BudgetScope org={org} b={budgetScopeOf(a)!} />
          </span>
        )}
        {a.acknowledged_at && <span className="text-xs text-slate-500">acknowledged {when(a.acknowledged_at)}</span>}
        {a.muted && a.muted_until && <span className="text-xs text-slate-500">fired while muted: not notified</span>}
        {canEdit && (
          <span className="ml-auto flex flex-wrap items-center gap-2">
            {!a.acknowledged_at && (
              <Button
                variant="secondary"
                className="px-2 py-0.5 text-xs"
                disabled={ack.isPending}
                onClick={() => ack.mutate(a.id)}
                aria-label={`Acknowledge: ${a.title}`}
              >
                Acknowledge
              </Button>
            )}
            {muting ? (
              <form
                className="flex items-center gap-2"
                aria-label={`Mute ${subject}`}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') closeMute()
                }}
                onSubmit={(e) => {
                  e.preventDefault()
                  mute.mutate({ id: a.id, hours }, { onSuccess: () => setMuting(false) })
                }}
              >
                <label htmlFor={`mute-${a.id}`} className="text-xs text-slate-600">
                  Mute {a.kind === 'budget' ? 'this budget' : 'this detector for this subject'} for
                </label>
                <Select id={`mute-${a.id}`} autoFocus value={hours} onChange={(e) => setHours(Number(e.target.value))} className="py-0.5 text-xs">
                  {MUTE_CHOICES.map(([h, l]) => (
                    <option key={h} value={h}>
                      {l}
                    </option>
                  ))}
                </Select>
                <Button type="submit" className="px-2 py-0.5 text-xs" disabled={mute.isPending}>
                  {mute.isPending ? 'Muting…' : 'Mute'}
                </Button>
                <Button type="button" variant="secondary" className="px-2 py-0.5 text-xs" onClick={closeMute}>
                  Cancel
                </Button>
              </form>
            ) : (
              !a.muted_until && (
                <Button id={muteButtonId} variant="secondary" className="px-2 py-0.5 text-xs" onClick={() => setMuting(true)} aria-label={`Mute: ${a.title}`}>
                  Mute…
                </Button>
              )
            )}
          </span>
        )}
      </div>
      {(ack.error || mute.error) && (
        <Alert>
          Could not {ack.error ? 'acknowledge' : 'mute'}: {(ack.error ?? mute.error)!.message}
        </Alert>
      )}
    </li>
  )
}

function MutesCard({ org, canEdit }: { org: string; canEdit: boolean }) {
  const { dateTime: when } = useDates()
  const mutes = useMutes(org)
  const unmute = useUnmute(org)
  const rows = mutes.data?.mutes ?? null
  return (
    <Card title="Muted sources" subtitle="Their alerts are still recorded and listed (marked muted) but sent to no channel until the mute ends.">
      {mutes.error && <Alert>Could not load mutes: {mutes.error.message}</Alert>}
      {unmute.error && <Alert>Could not unmute: {unmute.error.message}</Alert>}
      {rows ? (
        rows.length ? (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="mutes">
            {rows.map((m) => (
              <li key={m.id} className="flex flex-wrap items-center gap-3 py-2" data-source={m.source_key}>
                <span className="font-medium">{m.label}</span>
                <span className="text-slate-600">until {when(m.until)}</span>
                {canEdit && (
                  <Button variant="secondary" className="ml-auto px-2 py-0.5 text-xs" onClick={() => unmute.mutate(m.id)} aria-label={`Unmute ${m.label}`}>
                    Unmute
                  </Button>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">Nothing is muted. Mute a noisy budget or detector from one of its alerts above.</p>
        )
      ) : (
        <Skeleton className="h-12" />
      )}
    </Card>
  )
}
