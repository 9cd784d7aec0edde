'use client'
import { DAY_MS } from '@/lib/domain'
import { useState, type FormEvent } from 'react'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { Alert, Button, Field, Input, Select } from '@/components/ui'
import { ApiError } from '@/components/api'
import { useMetrics } from '@/components/metrics/queries'
import type { TWhatIfParams } from '@/components/forecast/queries'
import type { TForecast, TPeriodForecast } from '@/lib/forecast'
import { formatCount, formatUsd } from '@/lib/format'

// "What if traffic grows 20% a month?" and "what if the draft step ran on a
// cheaper model?": the controls keep their state in the URL (a what-if can be
// shared as a link) and the answer is drawn next to the baseline.

export const WHAT_IF_KEYS = ['growth_pct', 'move_workflow_id', 'move_step', 'move_to'] as const

export function whatIfFromParams(params: URLSearchParams | null): TWhatIfParams {
  const out: TWhatIfParams = {}
  for (const k of WHAT_IF_KEYS) {
    const v = params?.get(k)
    if (v) out[k] = v
  }
  return out
}

const signedUsd = (v: string) => (Number(v) > 0 ? `+${formatUsd(v)}` : formatUsd(v))
const diff = (a: string, b: string) => (Number(b) - Number(a)).toFixed(6)

/** The what-if form: growth per month and a step moved to another model. */
export function WhatIfForm({
  org,
  scope,
  current,
  error,
}: {
  org: string
  scope: { workflow_id?: string; account_id?: string }
  current: TWhatIfParams
  error: Error | null
}) {
  const router = useRouter()
  const path = usePathname()
  const params = useSearchParams()
  const [growth, setGrowth] = useState(current.growth_pct ?? '')
  const [wf, setWf] = useState(current.move_workflow_id ?? scope.workflow_id ?? '')
  const [step, setStep] = useState(current.move_step ?? '')
  const [to, setTo] = useState(current.move_to ?? '')
  // the choices: the steps with production traffic and the models the organization used, over the move's 30-day window
  const [window] = useState(() => {
    const t = new Date()
    const end = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate())
    return { from: new Date(end - 30 * DAY_MS).toISOString(), to: new Date(end).toISOString() }
  })
  const steps = useMetrics(org, {
    ...window,
    group_by: 'workflow_id,step',
    traffic_source: 'production',
    workflow_id: scope.workflow_id,
    account_id: scope.account_id,
  })
  const models = useMetrics(org, { ...window, group_by: 'provider,model' })
  const choicesError = steps.error ?? models.error
  const workflows = [...new Set((steps.data?.rows ?? []).map((r) => r.workflow_id).filter((x): x is string => !!x))].sort()
  const stepsOf = (steps.data?.rows ?? [])
    .filter((r) => r.workflow_id === wf && r.step)
    .map((r) => r.step!)
    .sort()
  const modelRefs = [...new Set((models.data?.rows ?? []).filter((r) => r.provider && r.model).map((r) => `${r.provider}/${r.model}`))].sort()
  const lines = error instanceof ApiError ? error.lines : []
  const fieldError = (k: string) =>
    lines
      .find((l) => l.startsWith(`${k}:`))
      ?.slice(k.length + 1)
      .trim()

  const apply = (next: TWhatIfParams) => {
    const qs = new URLSearchParams(params?.toString() ?? '')
    for (const k of WHAT_IF_KEYS) qs.delete(k)
    for (const [k, v] of Object.entries(next)) if (v) qs.set(k, v)
    router.replace(`${path}${qs.size ? `?${qs}` : ''}`, { scroll: false })
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const moving = Boolean(step || to)
    apply({ growth_pct: growth.trim() || undefined, ...(moving ? { move_workflow_id: wf, move_step: step, move_to: to.trim() } : {}) })
  }
  const clear = () => {
    setGrowth('')
    setStep('')
    setTo('')
    apply({})
  }
  return (
    <form onSubmit={submit} aria-label="What-if" className="space-y-3">
      <div className="grid gap-3 md:grid-cols-2 lg:grid-cols-5">
        <Field
          label="Traffic growth, % per month"
          htmlFor="wi-growth"
          hint="compounding per 30 days from today; negative shrinks"
          error={fieldError('growth_pct')}
        >
          <Input
            id="wi-growth"
            type="number"
            inputMode="decimal"
            step="any"
            min={-90}
            max={500}
            value={growth}
            onChange={(e) => setGrowth(e.target.value)}
            placeholder="e.g. 20"
            invalid={!!fieldError('growth_pct')}
          />
        </Field>
        <Field label="Workflow" htmlFor="wi-workflow" error={fieldError('move_workflow_id')}>
          <Select
            id="wi-workflow"
            className="w-full py-2"
            value={wf}
            onChange={(e) => {
              setWf(e.target.value)
              setStep('')
            }}
            disabled={!!scope.workflow_id}
          >
            <option value="">— choose —</option>
            {[...new Set([...workflows, ...(wf ? [wf] : [])])].map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Step to move" htmlFor="wi-step" error={fieldError('move_step')}>
          <Select id="wi-step" className="w-full py-2" value={step} onChange={(e) => setStep(e.target.value)} disabled={!wf}>
            <option value="">— no move —</option>
            {[...new Set([...stepsOf, ...(step ? [step] : [])])].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="To model (provider/model)" htmlFor="wi-model" hint="any model with a price" error={fieldError('move_to')}>
          <Input
            id="wi-model"
            list="wi-models"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            placeholder="openai/gpt-4o-mini"
            invalid={!!fieldError('move_to')}
            autoComplete="off"
          />
          <datalist id="wi-models">
            {modelRefs.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit">Apply</Button>
          <Button type="button" variant="secondary" onClick={clear}>
            Clear
          </Button>
        </div>
      </div>
      {choicesError && <Alert>Could not load the workflows and models to choose from: {choicesError.message}</Alert>}
      {error && !lines.length && <Alert>Could not compute the what-if: {error.message}</Alert>}
      {lines.length > 0 && !lines.every((l) => WHAT_IF_KEYS.some((k) => l.startsWith(`${k}:`))) && <Alert>{lines.join('; ')}</Alert>}
    </form>
  )
}

/** Baseline against the scenario at the month and quarter end, and what the step move does. */
export function WhatIfResult({ f }: { f: TForecast }) {
  const w = f.what_if
  if (!w) return null
  const row = (label: string, base: TPeriodForecast, s: TPeriodForecast | null, id: string) => (
    <tr className="border-t border-slate-100" data-period={id}>
      <td className="py-1.5">{label}</td>
      <td className="num text-right">{base.forecast_usd === null ? '—' : formatUsd(base.forecast_usd)}</td>
      <td className="num text-right font-medium" data-testid={`whatif-${id}`}>
        {s?.forecast_usd == null ? '—' : formatUsd(s.forecast_usd)}
      </td>
      <td className="num text-right">{s?.forecast_usd == null || base.forecast_usd === null ? '—' : signedUsd(diff(base.forecast_usd, s.forecast_usd))}</td>
      <td className="num text-right text-slate-600">{s?.lower_usd == null ? '—' : `${formatUsd(s.lower_usd)} – ${formatUsd(s.upper_usd!)}`}</td>
    </tr>
  )
  const m = w.step_move
  return (
    <div className="space-y-4" data-testid="whatif-result">
      <p className="text-sm text-slate-700">
        Scenario:{' '}
        {[
          w.growth_pct ? `traffic ${w.growth_pct > 0 ? '+' : ''}${w.growth_pct}% per month` : null,
          m ? `${m.workflow_id} / ${m.step} moved to ${m.to.provider}/${m.to.model}` : null,
        ]
          .filter(Boolean)
          .join(', and ') || 'no change'}
        .
      </p>
      {w.month_end === null ? (
        <Alert tone="info">The scope has too little history for a forecast, so there is nothing to apply the what-if to yet.</Alert>
      ) : (
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="py-1 font-medium">Period end</th>
              <th className="text-right font-medium">Baseline</th>
              <th className="text-right font-medium">What-if</th>
              <th className="text-right font-medium">Change</th>
              <th className="text-right font-medium">What-if 95% band</th>
            </tr>
          </thead>
          <tbody>
            {row('Month end', f.month_end, w.month_end, 'month')}
            {row('Quarter end', f.quarter_end, w.quarter_end, 'quarter')}
          </tbody>
        </table>
      )}
      {m && (
        <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="whatif-move">
          <p className="font-medium">
            {m.workflow_id} / {m.step}: {formatCount(m.calls)} production calls over the last {m.window.days} days (UTC days to today)
          </p>
          <p className="mt-1 text-slate-700">
            Per call: {formatCount(Math.round(m.tokens_in / m.calls))} input tokens ({formatCount(Math.round(m.cached_tokens_in / m.calls))} cached,{' '}
            {formatCount(Math.round(m.cache_write_tokens / m.calls))} cache writes), {formatCount(Math.round(m.tokens_out / m.calls))} output tokens. Now on{' '}
            {m.current_models.map((x) => `${x.provider ?? '—'}/${x.model ?? '—'} (${formatCount(x.calls)} calls)`).join(', ')}.
          </p>
          <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-1 md:grid-cols-4">
            <div>
              <dt className="text-xs text-slate-500">Cost of the {m.window.days} days, now</dt>
              <dd className="num" data-testid="whatif-current-cost">
                {formatUsd(m.current_cost_usd, { precise: true })}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Same calls on {m.to.model}</dt>
              <dd className="num" data-testid="whatif-target-cost">
                {formatUsd(m.target_cost_usd, { precise: true })}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Per call, now → then</dt>
              <dd className="num">
                {formatUsd(m.current_per_call_usd, { precise: true })} → {formatUsd(m.target_per_call_usd, { precise: true })}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Change per day</dt>
              <dd className="num" data-testid="whatif-delta-day">
                {signedUsd(m.delta_per_day_usd)}
              </dd>
            </div>
          </dl>
          {m.unpriced_calls > 0 && (
            <p className="mt-2 text-xs text-amber-800">{formatCount(m.unpriced_calls)} of these calls have no price now and count as $0 in the current cost.</p>
          )}
        </div>
      )}
    </div>
  )
}
