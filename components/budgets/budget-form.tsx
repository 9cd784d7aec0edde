'use client'
import { DEFAULT_TRAFFIC_SOURCE, ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import { useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Button, Field, Input, Select } from '@/components/ui'
import { useCreateBudget, useUpdateBudget } from '@/components/budgets/queries'
import { useChannels } from '@/components/alerts/queries'
import type { TBudget } from '@/lib/budgets'
import type * as budgetsApi from '@/lib/budgets/api'
import type { TBodyOf } from '@/lib/http/endpoint'

// The form's fields are strings from selects that offer only valid values; the server validates all of it again.
type TBudgetBody = TBodyOf<typeof budgetsApi.createBudget>

const EMPTY = {
  name: '',
  environment: '',
  workflow_id: '',
  account_id: '',
  feature: '',
  period: 'month',
  rolling_days: '7',
  metric: 'spend',
  amount_usd: '',
  thresholds: '50, 80, 100',
  owner: '',
  cutoff_action: 'throttle',
  throttle_per_minute: '60',
  run_cap_usd: '',
  run_cap_p95_multiple: '',
  brownout_pct: '',
}

const fromBudget = (b: TBudget): typeof EMPTY => ({
  name: b.name,
  environment: b.environment ?? '',
  workflow_id: b.workflow_id ?? '',
  account_id: b.account_id ?? '',
  feature: b.feature ?? '',
  period: b.period,
  rolling_days: String(b.rolling_days ?? 7),
  metric: b.metric,
  amount_usd: b.amount_usd,
  thresholds: b.thresholds.join(', '),
  owner: b.owner ?? '',
  cutoff_action: b.cutoff_action,
  throttle_per_minute: String(b.throttle_per_minute),
  run_cap_usd: b.run_cap_usd ?? '',
  run_cap_p95_multiple: b.run_cap_p95_multiple == null ? '' : String(b.run_cap_p95_multiple),
  brownout_pct: b.brownout_pct == null ? '' : String(b.brownout_pct),
})

// Empty: none (null). A number field sends a number; what is not one is sent as typed, so that the API names it under
// its field ("must be a number") instead of the form saving the budget without it.
const optNumber = (s: string): number | null => {
  const t = s.trim()
  if (t === '') return null
  const n = Number(t)
  return (Number.isFinite(n) ? n : t) as number
}

/** Create a budget, or change one (`budget`); the API checks every field and its message shows under the field. */
export function BudgetForm({ org, budget, onDone }: { org: string; budget?: TBudget; onDone?: () => void }) {
  const create = useCreateBudget(org)
  const update = useUpdateBudget(org, budget?.id ?? '')
  const save = budget ? update : create
  const channels = useChannels(org)
  const [f, setF] = useState(budget ? fromBudget(budget) : EMPTY)
  const [sources, setSources] = useState<string[]>(budget?.traffic_sources ?? [DEFAULT_TRAFFIC_SOURCE])
  const [hard, setHard] = useState(budget?.hard_cutoff ?? false)
  const [channelIds, setChannelIds] = useState<string[]>(budget?.channel_ids ?? [])
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const lines = save.error instanceof ApiError ? save.error.lines : []
  const errorOf = (field: string) => lines.find((l) => l.startsWith(`${field}:`) || l.startsWith(`${field}.`))?.replace(/^[^:]+: /, '')
  const known = [
    'name',
    'environment',
    'workflow_id',
    'account_id',
    'feature',
    'traffic_sources',
    'period',
    'rolling_days',
    'metric',
    'amount_usd',
    'thresholds',
    'owner',
    'hard_cutoff',
    'cutoff_action',
    'throttle_per_minute',
    'channel_ids',
    'run_cap_usd',
    'run_cap_p95_multiple',
    'brownout_pct',
  ]
  const other = save.error && !lines.some((l) => known.some((k) => l.startsWith(k))) ? lines.join('; ') || save.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const thresholds = f.thresholds
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number)
    const body: TBudgetBody = {
      name: f.name,
      period: f.period as TBudgetBody['period'],
      metric: f.metric as TBudgetBody['metric'],
      amount_usd: f.amount_usd.trim(),
      thresholds,
      hard_cutoff: hard,
      traffic_sources: sources as TBudgetBody['traffic_sources'],
      environment: (f.environment || null) as TBudgetBody['environment'],
      workflow_id: f.workflow_id.trim() || null,
      account_id: f.account_id.trim() || null,
      feature: f.feature.trim() || null,
      owner: f.owner.trim() || null,
      rolling_days: f.period === 'rolling' ? optNumber(f.rolling_days) : null,
      ...(hard
        ? {
            cutoff_action: f.cutoff_action as TBudgetBody['cutoff_action'],
            // left empty: not sent (a new budget gets the default allowance, an edited one keeps its own); the API refuses null
            ...(f.throttle_per_minute.trim() === '' ? {} : { throttle_per_minute: optNumber(f.throttle_per_minute) as number }),
          }
        : {}),
      channel_ids: channelIds,
      run_cap_usd: f.run_cap_usd.trim() || null,
      run_cap_p95_multiple: optNumber(f.run_cap_p95_multiple),
      brownout_pct: f.metric === 'spend' ? optNumber(f.brownout_pct) : null,
    }
    if (budget) update.mutate(body, { onSuccess: () => onDone?.() })
    else
      create.mutate(body, {
        onSuccess: () => {
          setF(EMPTY)
          setSources([DEFAULT_TRAFFIC_SOURCE])
          setHard(false)
          setChannelIds([])
        },
      })
  }

  const amountLabel = f.metric === 'spend' ? 'Amount, USD per period' : f.metric === 'cost_per_run' ? 'Target, USD per run' : 'Target, USD per accepted outcome'
  return (
    <form onSubmit={onSubmit} aria-label={budget ? 'Edit budget' : 'New budget'} noValidate className="space-y-4">
      <div className="grid gap-4 md:grid-cols-3">
        <Field label="Name" htmlFor="b-name" error={errorOf('name')}>
          <Input id="b-name" value={f.name} onChange={set('name')} invalid={!!errorOf('name')} placeholder="Production, monthly" />
        </Field>
        <Field label="Measures" htmlFor="b-metric" error={errorOf('metric')}>
          <Select id="b-metric" value={f.metric} onChange={set('metric')} className="w-full">
            <option value="spend">Spend</option>
            <option value="cost_per_run">Cost per run</option>
            <option value="cost_per_accepted_outcome">Cost per accepted outcome</option>
          </Select>
        </Field>
        <Field label={amountLabel} htmlFor="b-amount" error={errorOf('amount_usd')}>
          <Input id="b-amount" value={f.amount_usd} onChange={set('amount_usd')} inputMode="decimal" invalid={!!errorOf('amount_usd')} placeholder="5000" />
        </Field>
        <Field label="Period" htmlFor="b-period" error={errorOf('period')}>
          <Select id="b-period" value={f.period} onChange={set('period')} className="w-full">
            <option value="day">Per UTC day</option>
            <option value="month">Per calendar month</option>
            <option value="rolling">Rolling window of N days</option>
          </Select>
        </Field>
        {f.period === 'rolling' && (
          <Field label="Days in the window" htmlFor="b-days" error={errorOf('rolling_days')}>
            <Input id="b-days" value={f.rolling_days} onChange={set('rolling_days')} inputMode="numeric" invalid={!!errorOf('rolling_days')} />
          </Field>
        )}
        <Field label="Alert thresholds, % of the amount" htmlFor="b-thresholds" error={errorOf('thresholds')} hint="Comma-separated; 100 means exceeded">
          <Input id="b-thresholds" value={f.thresholds} onChange={set('thresholds')} invalid={!!errorOf('thresholds')} />
        </Field>
        <Field label="Environment" htmlFor="b-env" error={errorOf('environment')}>
          <Select id="b-env" value={f.environment} onChange={set('environment')} className="w-full">
            <option value="">All environments</option>
            {ENVIRONMENTS.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Workflow" htmlFor="b-workflow" error={errorOf('workflow_id')} hint="Empty: all workflows">
          <Input id="b-workflow" value={f.workflow_id} onChange={set('workflow_id')} invalid={!!errorOf('workflow_id')} />
        </Field>
        <Field label="Customer account" htmlFor="b-account" error={errorOf('account_id')} hint="Empty: all accounts">
          <Input id="b-account" value={f.account_id} onChange={set('account_id')} invalid={!!errorOf('account_id')} />
        </Field>
        <Field label="Feature" htmlFor="b-feature" error={errorOf('feature')} hint="Empty: all features">
          <Input id="b-feature" value={f.feature} onChange={set('feature')} invalid={!!errorOf('feature')} />
        </Field>
        <Field label="Owner" htmlFor="b-owner" error={errorOf('owner')}>
          <Input id="b-owner" value={f.owner} onChange={set('owner')} placeholder="team or email" />
        </Field>
      </div>
      <fieldset className="flex flex-wrap items-center gap-4 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700">Counts traffic from</legend>
        {TRAFFIC_SOURCES.map((s) => (
          <label key={s} className="flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={sources.includes(s)}
              onChange={(e) => setSources(e.target.checked ? [...sources, s] : sources.filter((x) => x !== s))}
            />{' '}
            {s}
          </label>
        ))}
        {errorOf('traffic_sources') && (
          <span role="alert" className="text-xs text-red-700">
            {errorOf('traffic_sources')}
          </span>
        )}
      </fieldset>
      <fieldset className="space-y-3 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={hard} onChange={(e) => setHard(e.target.checked)} aria-describedby="b-hard-hint" />
          Hard cutoff once exceeded
        </label>
        <p id="b-hard-hint" className="text-xs text-slate-500">
          Spend budgets only. Callers that ask <code>POST /api/v1/decide</code> before a model call are held back once the period&apos;s spend passes the
          amount, and the gateway answers 429 without calling the provider (it reserves each call&apos;s maximum cost, so concurrent calls overshoot by at most
          one call); the calls that do run are always recorded.
        </p>
        {errorOf('hard_cutoff') && (
          <p role="alert" className="text-xs text-red-700">
            {errorOf('hard_cutoff')}
          </p>
        )}
        {hard && (
          <div className="grid gap-4 md:grid-cols-3">
            <Field label="Once exceeded" htmlFor="b-cutoff" error={errorOf('cutoff_action')}>
              <Select id="b-cutoff" value={f.cutoff_action} onChange={set('cutoff_action')} className="w-full">
                <option value="throttle">Throttle: let a few calls per minute through</option>
                <option value="deny">Deny every call until the period ends</option>
              </Select>
            </Field>
            {f.cutoff_action === 'throttle' && (
              <Field label="Calls per minute still allowed" htmlFor="b-rpm" error={errorOf('throttle_per_minute')}>
                <Input
                  id="b-rpm"
                  value={f.throttle_per_minute}
                  onChange={set('throttle_per_minute')}
                  inputMode="numeric"
                  invalid={!!errorOf('throttle_per_minute')}
                />
              </Field>
            )}
          </div>
        )}
      </fieldset>
      <fieldset className="space-y-2 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700">Through the gateway</legend>
        <p className="text-xs text-slate-500">
          Calls through Outlay&apos;s gateway that this budget covers: a run (its <code>x-outlay-run-id</code>) is stopped once its spend passes the run cap
          (the lower of the two when both are set); past the brown-out threshold, steps with a routing policy fall to their cheapest model that clears the bar,
          before any cutoff.
        </p>
        <div className="grid gap-4 md:grid-cols-3">
          <Field label="Run cap, USD per run" htmlFor="b-runcap" error={errorOf('run_cap_usd')} hint="Empty: no fixed cap">
            <Input
              id="b-runcap"
              value={f.run_cap_usd}
              onChange={set('run_cap_usd')}
              inputMode="decimal"
              invalid={!!errorOf('run_cap_usd')}
              placeholder="2.50"
            />
          </Field>
          <Field label="Run cap, × the workflow's p95 per run" htmlFor="b-runp95" error={errorOf('run_cap_p95_multiple')} hint="Last 7 days; empty: none">
            <Input
              id="b-runp95"
              value={f.run_cap_p95_multiple}
              onChange={set('run_cap_p95_multiple')}
              inputMode="decimal"
              invalid={!!errorOf('run_cap_p95_multiple')}
              placeholder="3"
            />
          </Field>
          {f.metric === 'spend' && (
            <Field label="Brown-out at, % of the amount" htmlFor="b-brownout" error={errorOf('brownout_pct')} hint="Below 100; empty: no brown-out">
              <Input
                id="b-brownout"
                value={f.brownout_pct}
                onChange={set('brownout_pct')}
                inputMode="numeric"
                invalid={!!errorOf('brownout_pct')}
                placeholder="80"
              />
            </Field>
          )}
        </div>
      </fieldset>
      <fieldset className="flex flex-wrap items-center gap-4 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700">Notify</legend>
        {channels.data ? (
          channels.data.channels.length ? (
            <>
              {channels.data.channels.map((c) => (
                <label key={c.id} className="flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={channelIds.includes(c.id)}
                    onChange={(e) => setChannelIds(e.target.checked ? [...channelIds, c.id] : channelIds.filter((x) => x !== c.id))}
                  />
                  {c.name} <span className="text-xs text-slate-500">({c.type})</span>
                </label>
              ))}
              <span className="text-xs text-slate-500">None ticked: the organization&apos;s default channels.</span>
            </>
          ) : (
            <span className="text-xs text-slate-500">In-app alerts only. Add a webhook or email channel on the Alerts page.</span>
          )
        ) : channels.error ? (
          <span className="text-xs text-red-700" role="alert">
            Could not load the channels: {channels.error.message}
          </span>
        ) : (
          <span className="text-xs text-slate-500">Loading channels…</span>
        )}
        {errorOf('channel_ids') && (
          <span role="alert" className="text-xs text-red-700">
            {errorOf('channel_ids')}
          </span>
        )}
      </fieldset>
      {other && (
        <p role="alert" className="text-sm text-red-700">
          {other}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : budget ? 'Save changes' : 'Create budget'}
        </Button>
        {budget && onDone && (
          <Button type="button" variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  )
}
