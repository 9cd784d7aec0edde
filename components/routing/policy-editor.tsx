'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { useDates, When } from '@/components/layout/time-zone'
import { useEffect, useState, type FormEvent } from 'react'
import { useSearchParams } from 'next/navigation'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Kpi, Select, Skeleton } from '@/components/ui'
import { useImportEvals, usePolicy, usePublish, useRollback, useSaveDraft, useSimulation, useWithdraw } from '@/components/routing/queries'
import { LiveView } from '@/components/routing/live-view'
import {
  applyDraftParams,
  barLines,
  DRAFT_SOURCES,
  modelLines,
  parseBarLines,
  parseDraftParams,
  parseModelLines,
  parseOptionalInt,
  type TDraftParams,
} from '@/lib/routing/form'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import type { TPolicyDetail, TPolicyVersionView } from '@/lib/routing/policies'
import { fallbackChain, type TConfidenceSource, type TPolicySpec } from '@/lib/routing/schema'
import type { TSpecChange } from '@/lib/routing/select'
import { changeLines, specLines } from '@/lib/routing/diff-text'

// The engineer's question: "which model should this step use, what does the
// evidence say, what would it cost per month, and how do I ship (or undo) it?"

const ta = 'block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm'
const ref = (m: { provider: string; model: string } | null | undefined) => (m ? `${m.provider}/${m.model}` : '—')

export function PolicyEditor({ org, id, canEdit }: { org: string; id: string; canEdit: boolean }) {
  const q = usePolicy(org, id)
  const p = q.data?.policy
  const search = useSearchParams()
  const drafted = parseDraftParams(search)
  // a drafted change is for this policy's step only
  const change = drafted && p && drafted.workflow_id === p.workflow_id && drafted.step === p.step ? drafted : null
  if (q.error) return <Alert>Could not load the policy: {q.error.message}</Alert>
  if (!p) return <Skeleton className="h-96" />
  const draft = p.versions.find((v) => v.status === 'draft') ?? null
  const current = p.versions.find((v) => v.version === p.published_version) ?? null
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">
          {p.workflow_id} · {p.step}
        </h1>
        <p className="text-sm text-slate-600">
          Routing policy for {[p.environment ?? 'every environment', p.account_id ? `account ${p.account_id}` : 'every account'].join(', ')}.{' '}
          {p.published ? (
            <>
              In force: <strong>v{p.published.version}</strong>, selected model <code data-testid="selected-model">{ref(p.published.chosen)}</code>
              {p.published.canary
                ? ` on ${p.published.canary.share_pct}% of ${p.published.canary.stable_by === 'run_id' ? 'runs' : 'accounts'} (the rest on ${p.published.base_version === null ? "the caller's default model: whatever each call asks for" : `v${p.published.base_version}`})`
                : ''}
              .
            </>
          ) : p.versions.some((v) => v.status === 'published') ? (
            <span data-testid="withdrawn">Withdrawn: no version in force, decide answers 404 with the caller&apos;s default model for this step.</span>
          ) : (
            'Not published yet: decide answers 404 with the default model for this step.'
          )}
        </p>
      </div>
      {change && <DraftedBanner change={change} canEdit={canEdit} />}
      <DraftCard org={org} p={p} draft={draft} current={current} canEdit={canEdit} change={change} />
      <EvidenceAndSimulation org={org} p={p} canEdit={canEdit} change={change} />
      {canEdit && <PublishCard org={org} p={p} draft={draft} />}
      <LiveView org={org} p={p} />
      <HistoryCard org={org} p={p} canEdit={canEdit} />
    </div>
  )
}

const specForm = (s: TPolicySpec) => ({
  bar: barLines(s.quality_bar),
  candidates: modelLines(s.candidates),
  eval_set: s.eval_set ?? '',
  cascade: s.cascade ? modelLines(s.cascade.models) : '',
  threshold: s.cascade ? String(s.cascade.confidence_threshold) : '0.7',
  fallbacks: modelLines(fallbackChain(s)),
  canary: s.canary ? String(s.canary.share_pct) : '',
  stable_by: s.canary?.stable_by ?? 'run_id',
  confidence_from: s.cascade?.confidence_from ?? 'reported',
  confidence_field: s.cascade?.confidence_field ?? '',
  max_tokens_cap: s.max_tokens_cap == null ? '' : String(s.max_tokens_cap),
  cache_ttl_s: s.cache_ttl_s == null ? '' : String(s.cache_ttl_s),
})

function DraftCard({
  org,
  p,
  draft,
  current,
  canEdit,
  change,
}: {
  org: string
  p: TPolicyDetail
  draft: TPolicyVersionView | null
  current: TPolicyVersionView | null
  canEdit: boolean
  change: TDraftParams | null
}) {
  const base = draft ?? current ?? p.versions[0]
  const save = useSaveDraft(org, p.id)
  const dates = useDates()
  const [f, setF] = useState(() => applyDraftParams(specForm(base.spec), change))
  const [local, setLocal] = useState<Record<string, string>>({})
  const baseKey = `${base.version}:${base.created_at}`
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the form only when another version becomes the base (baseKey), not on every refetch of the same one
  useEffect(() => setF(applyDraftParams(specForm(base.spec), change)), [baseKey])
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const lines = save.error instanceof ApiError ? save.error.lines : []
  const errorOf = (...fields: string[]) => {
    const hit =
      fields.map((k) => local[k]).find(Boolean) ??
      lines
        .filter((l) => fields.some((k) => l.startsWith(`${k}:`) || l.startsWith(`${k}.`)))
        .map((l) => l.replace(/^[^:]+: /, ''))
        .join('; ')
    return hit || undefined
  }
  const other = save.error && !lines.length ? save.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const bar = parseBarLines(f.bar)
    const candidates = parseModelLines(f.candidates)
    const cascade = parseModelLines(f.cascade)
    const fallbacks = parseModelLines(f.fallbacks)
    const cap = parseOptionalInt(f.max_tokens_cap)
    const ttl = parseOptionalInt(f.cache_ttl_s)
    const errs: Record<string, string> = {}
    if (bar.error) errs.quality_bar = bar.error
    if (candidates.error) errs.candidates = candidates.error
    if (cascade.error) errs['cascade.models'] = cascade.error
    if (fallbacks.error) errs.fallback = fallbacks.error
    if (cap.error) errs.max_tokens_cap = cap.error
    if (ttl.error) errs.cache_ttl_s = ttl.error
    setLocal(errs)
    if (Object.keys(errs).length) return
    const from = f.confidence_from as TConfidenceSource
    save.mutate({
      quality_bar: bar.bar,
      candidates: candidates.models,
      eval_set: f.eval_set.trim() || null,
      cascade: cascade.models.length
        ? {
            models: cascade.models,
            confidence_threshold: Number(f.threshold),
            confidence_from: from,
            confidence_field: from === 'json_field' ? f.confidence_field.trim() || null : null,
          }
        : null,
      // The first line is the fallback decide's attempt 2 gets; the gateway tries them all in order.
      fallback: fallbacks.models[0] ?? null,
      fallbacks: fallbacks.models.slice(1),
      max_tokens_cap: cap.value,
      cache_ttl_s: ttl.value,
      canary: f.canary.trim() ? { share_pct: Number(f.canary), stable_by: f.stable_by } : null,
    })
  }

  const title = draft ? `Draft v${draft.version}` : 'Draft'
  const subtitle = draft
    ? `Last saved by ${draft.author}, ${dates.dateTime(draft.created_at)}. Not in force until published.`
    : `No open draft: saving creates one from v${base.version}.`
  if (!canEdit) {
    return (
      <Card title={`Rules of v${base.version}`} subtitle="Only admins and engineers edit routing policies.">
        <div className="text-sm">
          <Rules spec={base.spec} />
        </div>
      </Card>
    )
  }
  return (
    <Card title={title} subtitle={subtitle}>
      <form onSubmit={onSubmit} aria-label="Policy draft" noValidate className="space-y-4">
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Quality bar"
            htmlFor="d-bar"
            error={errorOf('quality_bar')}
            hint="One metric per line: grounding >= 0.92; a candidate must meet every minimum"
          >
            <textarea id="d-bar" value={f.bar} onChange={set('bar')} rows={3} className={ta} aria-invalid={!!errorOf('quality_bar') || undefined} />
          </Field>
          <Field
            label="Candidate models"
            htmlFor="d-candidates"
            error={errorOf('candidates')}
            hint="One provider/model per line; the cheapest clearing the bar is selected"
          >
            <textarea
              id="d-candidates"
              value={f.candidates}
              onChange={set('candidates')}
              rows={3}
              className={ta}
              aria-invalid={!!errorOf('candidates') || undefined}
            />
          </Field>
          <Field
            label="Cascade, cheapest first"
            htmlFor="d-cascade"
            error={errorOf('cascade.models', 'cascade')}
            hint="Empty: no cascade. A reported confidence below the threshold moves the call one model up"
          >
            <textarea
              id="d-cascade"
              value={f.cascade}
              onChange={set('cascade')}
              rows={3}
              className={ta}
              aria-invalid={!!errorOf('cascade.models', 'cascade') || undefined}
            />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Escalate below confidence" htmlFor="d-threshold" error={errorOf('cascade.confidence_threshold')} hint="Between 0 and 1">
              <Input id="d-threshold" value={f.threshold} onChange={set('threshold')} inputMode="decimal" invalid={!!errorOf('cascade.confidence_threshold')} />
            </Field>
            <Field
              label="Confidence from"
              htmlFor="d-conf-from"
              error={errorOf('cascade.confidence_from')}
              hint="Where the gateway reads an answer's confidence"
            >
              <Select id="d-conf-from" value={f.confidence_from} onChange={set('confidence_from')} className="w-full">
                <option value="reported">reported by the caller (decide)</option>
                <option value="json_field">a JSON field of the answer</option>
                <option value="first_token_logprob">first token&apos;s probability (logprobs)</option>
              </Select>
            </Field>
            {f.confidence_from === 'json_field' && (
              <Field
                label="Confidence JSON field"
                htmlFor="d-conf-field"
                error={errorOf('cascade.confidence_field')}
                hint="Path in the answer's JSON, e.g. confidence or meta.score"
              >
                <Input id="d-conf-field" value={f.confidence_field} onChange={set('confidence_field')} invalid={!!errorOf('cascade.confidence_field')} />
              </Field>
            )}
            <Field
              label="Fallbacks on provider error"
              htmlFor="d-fallback"
              error={errorOf('fallback', 'fallbacks')}
              hint="One provider/model per line, tried in order on a 429, 5xx or timeout"
            >
              <textarea
                id="d-fallback"
                value={f.fallbacks}
                onChange={set('fallbacks')}
                rows={2}
                className={ta}
                aria-invalid={!!errorOf('fallback', 'fallbacks') || undefined}
              />
            </Field>
            <Field
              label="Output cap (max_tokens)"
              htmlFor="d-cap"
              error={errorOf('max_tokens_cap')}
              hint="The gateway applies it where a request sends none or more; empty: none"
            >
              <Input id="d-cap" value={f.max_tokens_cap} onChange={set('max_tokens_cap')} inputMode="numeric" invalid={!!errorOf('max_tokens_cap')} />
            </Field>
            <Field
              label="Response cache TTL, seconds"
              htmlFor="d-ttl"
              error={errorOf('cache_ttl_s')}
              hint="The gateway answers a repeated input from its cache (never a stream); empty: off"
            >
              <Input id="d-ttl" value={f.cache_ttl_s} onChange={set('cache_ttl_s')} inputMode="numeric" invalid={!!errorOf('cache_ttl_s')} />
            </Field>
            <Field
              label="Canary share, %"
              htmlFor="d-canary"
              error={errorOf('canary.share_pct', 'canary')}
              hint={`Empty: all traffic on publish. With a share, the rest stays on ${p.published ? 'the stable version in force' : "the caller's default model (no version in force yet)"}`}
            >
              <Input id="d-canary" value={f.canary} onChange={set('canary')} inputMode="decimal" invalid={!!errorOf('canary.share_pct', 'canary')} />
            </Field>
            <Field label="Canary stable by" htmlFor="d-stable" error={errorOf('canary.stable_by')}>
              <Select id="d-stable" value={f.stable_by} onChange={set('stable_by')} className="w-full">
                <option value="run_id">run_id (one run never flips)</option>
                <option value="account_id">account_id</option>
              </Select>
            </Field>
            <Field label="Eval set" htmlFor="d-evalset" error={errorOf('eval_set')} hint="Empty: the latest result of any set counts">
              <Input id="d-evalset" value={f.eval_set} onChange={set('eval_set')} invalid={!!errorOf('eval_set')} />
            </Field>
          </div>
        </div>
        {other && (
          <p role="alert" className="text-sm text-red-700">
            {other}
          </p>
        )}
        {save.isSuccess && !save.isPending && (
          <p role="status" className="text-sm text-emerald-700">
            Draft saved.
          </p>
        )}
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save draft'}
        </Button>
      </form>
    </Card>
  )
}

/** What a link drafted (the Opportunities page, a decision record): shown above the form, which it pre-filled; nothing saved or published. */
function DraftedBanner({ change, canEdit }: { change: TDraftParams; canEdit: boolean }) {
  const parts = [
    change.candidates?.length && `candidates ${change.candidates.map((m) => `${m.provider}/${m.model}`).join(', ')}`,
    change.candidate && `candidate ${change.candidate.provider}/${change.candidate.model}`,
    change.max_tokens_cap !== undefined && `output cap ${formatCount(change.max_tokens_cap)} tokens`,
    change.cache_ttl_s !== undefined && `response cache ${formatCount(change.cache_ttl_s)} s`,
  ].filter(Boolean)
  return (
    <div role="status" data-testid="drafted-change" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
      <strong>Drafted from {DRAFT_SOURCES[change.from ?? 'opportunities']}:</strong> {parts.join(', ')}
      {change.saving ? ` (estimated saving ${formatUsd(change.saving)} per month)` : ''}.{' '}
      {canEdit
        ? 'The draft below is filled in and the simulation runs with it; nothing is saved or published until you save the draft and publish it.'
        : 'Only admins and engineers can save it as a draft.'}
    </div>
  )
}

function EvidenceAndSimulation({ org, p, canEdit, change }: { org: string; p: TPolicyDetail; canEdit: boolean; change: TDraftParams | null }) {
  const [days, setDays] = useState(30)
  const [ran, setRan] = useState(!!change)
  const candidate = change?.candidate ? `${change.candidate.provider}/${change.candidate.model}` : undefined
  const sim = useSimulation(org, p.id, days, true, candidate)
  const ev = sim.data?.evidence
  const s = sim.data?.simulation
  const bar = p.versions.find((v) => v.version === sim.data?.version)?.spec.quality_bar ?? []
  type TCand = NonNullable<typeof ev>['candidates'][number]
  const cands = useSort<TCand, string>(ev?.candidates, {
    model: (c) => ref(c),
    ...Object.fromEntries(bar.map((b) => [`score:${b.metric}`, (c: TCand) => c.scores[b.metric]?.score ?? null])),
    cost: (c) => moneyKey(c.cost_per_call_usd),
    clears: (c) => (c.clears ? 1 : 0),
  })
  const shares = useSort(s?.shares, {
    model: (r) => r.model,
    actual: (r) => r.actual_share,
    baseline: (r) => r.baseline_share,
    estimated: (r) => r.estimated_share,
  })
  return (
    <>
      <Card
        title="Candidates against the bar"
        subtitle={`Latest eval scores and cache-adjusted cost per call (real traffic of the last 30 days when a model has 30+ calls, else its price × the step's average call). ${sim.data ? `For ${sim.data.status} v${sim.data.version}.` : ''}`}
        actions={canEdit ? <EvalUpload org={org} p={p} /> : undefined}
      >
        {sim.error && <Alert>Could not compute the evidence: {sim.error.message}</Alert>}
        {!ev ? (
          <Skeleton className="h-24" />
        ) : (
          <>
            <table className="w-full text-sm" data-testid="candidates">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <SortTh sorter={cands} k="model" className="py-1">
                    Model
                  </SortTh>
                  {bar.map((b) => (
                    <SortTh key={b.metric} sorter={cands} k={`score:${b.metric}`}>
                      {b.metric} ≥ {b.min}
                    </SortTh>
                  ))}
                  <SortTh sorter={cands} k="cost" className="text-right">
                    Cost per call
                  </SortTh>
                  <SortTh sorter={cands} k="clears">
                    Clears
                  </SortTh>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {cands.rows.map((c) => {
                  const k = ref(c)
                  const chosen = ref(ev.chosen) === k
                  return (
                    <tr key={k} data-candidate={k} className={chosen ? 'bg-emerald-50' : ''}>
                      <td className="py-1.5 font-mono text-xs">
                        {k}
                        {chosen && <span className="ml-2 rounded bg-emerald-100 px-1 text-emerald-800">selected</span>}
                      </td>
                      {bar.map((b) => {
                        const sc = c.scores[b.metric]
                        return (
                          <td key={b.metric} className={sc && sc.score >= b.min ? 'text-emerald-700' : 'text-red-700'}>
                            {sc ? `${sc.score} (${formatCount(sc.sample_count)} samples)` : 'no eval'}
                          </td>
                        )
                      })}
                      <td className="num text-right">
                        {c.cost_per_call_usd === null
                          ? 'no price'
                          : `${formatUsd(c.cost_per_call_usd)} (${c.source === 'traffic' ? `${formatCount(c.calls)} calls` : 'from prices'})`}
                      </td>
                      <td>{c.clears ? 'yes' : <span title={c.shortfalls.join(', ')}>no: {c.shortfalls.join(', ')}</span>}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
            <p className="mt-2 text-xs text-slate-600" data-testid="selection-reason">
              {ev.chosen ? `Selection: ${ev.reason}` : `Nothing selected: ${ev.reason}. Import evals or lower the bar.`}
            </p>
          </>
        )}
      </Card>
      <Card
        title="Simulation"
        subtitle={`The draft replayed over the step's production calls of a past window and compared with ${p.published && p.draft_version ? `v${p.published.version}, the version in force, replayed over the same calls` : 'what they cost (no version in force)'}; escalations at the rate observed; per month = 30 days at the window's pace.${candidate ? ` With the drafted candidate ${candidate} added (not saved).` : ''}`}
      >
        <form
          className="mb-4 flex flex-wrap items-end gap-3"
          aria-label="Simulation window"
          onSubmit={(e) => {
            e.preventDefault()
            setRan(true)
            void sim.refetch()
          }}
        >
          <Field label="Replay window" htmlFor="s-days">
            <Select id="s-days" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
              <option value="7">Last 7 days</option>
              <option value="30">Last 30 days</option>
              <option value="90">Last 90 days</option>
            </Select>
          </Field>
          <Button type="submit" variant="secondary" disabled={sim.isFetching}>
            {sim.isFetching ? 'Simulating…' : 'Run simulation'}
          </Button>
        </form>
        {ran &&
          (s ? (
            <div className="space-y-4" data-testid="simulation">
              <p className="text-base font-medium text-slate-900" data-testid="simulation-headline">
                {s.headline}
              </p>
              <div className={`grid grid-cols-2 gap-4 ${s.baseline.kind === 'version' ? 'lg:grid-cols-5' : 'lg:grid-cols-4'}`}>
                <Kpi
                  label="Actual, per month"
                  value={formatUsd(s.per_month.actual_usd)}
                  hint={`${formatUsd(s.actual_cost_usd)} over ${s.window.days} days, ${formatCount(s.calls)} calls`}
                  testId="sim-actual"
                />
                {s.baseline.kind === 'version' && (
                  <Kpi
                    label={`v${s.baseline.version} in force, per month`}
                    value={s.baseline.per_month_usd === null ? '—' : formatUsd(s.baseline.per_month_usd)}
                    hint={`v${s.baseline.version} replayed over the same ${formatCount(s.calls)} calls`}
                    testId="sim-baseline"
                  />
                )}
                <Kpi
                  label="Estimated, per month"
                  value={s.per_month.estimated_usd === null ? '—' : formatUsd(s.per_month.estimated_usd)}
                  testId="sim-estimated"
                />
                <Kpi
                  label={s.baseline.kind === 'version' ? `Change against v${s.baseline.version}, per month` : 'Change, per month'}
                  value={s.per_month.change_usd === null ? '—' : formatUsd(s.per_month.change_usd)}
                  hint={s.change_ratio === null ? undefined : formatPercent(s.change_ratio)}
                  testId="sim-change"
                />
                <Kpi
                  label="Escalations, per month"
                  value={formatCount(s.expected_escalations_per_month)}
                  hint={s.quality.held ? 'Quality bar held' : 'Quality bar NOT held'}
                  warn={!s.quality.held}
                />
              </div>
              <table className="w-full text-sm">
                <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <SortTh sorter={shares} k="model" className="py-1">
                      Model
                    </SortTh>
                    <SortTh sorter={shares} k="actual" className="text-right">
                      Share of calls, actual
                    </SortTh>
                    {s.baseline.kind === 'version' && (
                      <SortTh sorter={shares} k="baseline" className="text-right">
                        Share of calls, v{s.baseline.version} in force
                      </SortTh>
                    )}
                    <SortTh sorter={shares} k="estimated" className="text-right">
                      Share of calls, draft
                    </SortTh>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {shares.rows.map((r) => (
                    <tr key={r.model}>
                      <td className="py-1 font-mono text-xs">{r.model}</td>
                      <td className="num text-right">
                        {formatPercent(r.actual_share)} ({formatCount(r.actual_calls)})
                      </td>
                      {s.baseline.kind === 'version' && (
                        <td className="num text-right">
                          {formatPercent(r.baseline_share)} ({formatCount(r.baseline_calls)})
                        </td>
                      )}
                      <td className="num text-right">
                        {formatPercent(r.estimated_share)} ({formatCount(r.estimated_calls)})
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Skeleton className="h-24" />
          ))}
        {!ran && (
          <p className="text-sm text-slate-600">Pick a window and run the simulation to see the draft&apos;s cost against what the step actually cost.</p>
        )}
      </Card>
    </>
  )
}

function EvalUpload({ org, p }: { org: string; p: TPolicyDetail }) {
  const imp = useImportEvals(org)
  const [errors, setErrors] = useState<string[]>([])
  async function onFile(file: File | undefined) {
    if (!file) return
    // Loaded on use: the CSV parser (csv-parse's browser build) stays out of the page's first load.
    const { evalsFromCsv } = await import('@/lib/routing/eval-csv')
    const r = evalsFromCsv(await file.text(), { workflow_id: p.workflow_id, step: p.step })
    setErrors(r.errors)
    if (!r.errors.length) imp.mutate(r.evals)
  }
  const apiLines = imp.error instanceof ApiError ? (imp.error.lines.length ? imp.error.lines : [imp.error.message]) : []
  return (
    <div className="max-w-xs text-right text-xs">
      <label
        htmlFor="eval-csv"
        className="cursor-pointer rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-medium text-slate-800 hover:bg-slate-50 focus-within:ring-2"
      >
        Import evals (CSV)
        <input id="eval-csv" type="file" accept=".csv,text/csv" className="sr-only" onChange={(e) => void onFile(e.target.files?.[0])} />
      </label>
      <p className="mt-1 text-slate-500">
        Columns: eval_set, provider, model, sample_count, optional tokens_in, tokens_out, cost_usd, run_at; every other column is a metric score.
      </p>
      {[...errors, ...apiLines].map((l) => (
        <p key={l} role="alert" className="text-red-700">
          {l}
        </p>
      ))}
      {imp.isSuccess && (
        <p role="status" className="text-emerald-700">
          {imp.data.imported} eval results imported{imp.data.cost_events.accepted ? `; their cost recorded as eval traffic` : ''}.
        </p>
      )}
    </div>
  )
}

function PublishCard({ org, p, draft }: { org: string; p: TPolicyDetail; draft: TPolicyVersionView | null }) {
  const publish = usePublish(org, p.id)
  const [note, setNote] = useState('')
  const lines = publish.error instanceof ApiError ? publish.error.lines : []
  const noteError = lines.find((l) => l.startsWith('note:'))?.replace(/^note: /, '')
  const other = publish.error && !noteError ? publish.error.message : null
  return (
    <Card
      title="Publish"
      subtitle={
        draft
          ? `Publishing v${draft.version} freezes its selection and reaches every decide call within about a second.`
          : 'Nothing to publish: save a draft first.'
      }
    >
      <form
        aria-label="Publish draft"
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault()
          publish.mutate(note, { onSuccess: () => setNote('') })
        }}
      >
        <Field label="What changed and why" htmlFor="pub-note" error={noteError} hint="Required; kept in the version history">
          <textarea id="pub-note" value={note} onChange={(e) => setNote(e.target.value)} rows={2} className={ta} aria-invalid={!!noteError || undefined} />
        </Field>
        {other && (
          <p role="alert" className="text-sm text-red-700">
            {other}
          </p>
        )}
        {publish.isSuccess && (
          <p role="status" className="text-sm text-emerald-700">
            Published v{publish.data.policy.published_version}.
          </p>
        )}
        <Button type="submit" disabled={!draft || publish.isPending}>
          {publish.isPending ? 'Publishing…' : draft ? `Publish v${draft.version}` : 'Publish'}
        </Button>
      </form>
    </Card>
  )
}

/** A version's changes against the one before, field by field, old → new, in words (lib/routing/diff-text.ts). */
function Changes({ changes }: { changes: TSpecChange[] }) {
  if (!changes.length) return <span className="text-slate-500">no rule changes</span>
  return (
    <ul className="space-y-0.5" data-testid="changes">
      {changeLines(changes).map((c, i) => (
        <li key={i} data-field={c.field}>
          <span className="font-medium text-slate-700">{c.label}</span>: <span className="sr-only">was </span>
          <del className="text-slate-500" data-testid="from">
            {c.from}
          </del>{' '}
          →<span className="sr-only"> now</span>{' '}
          <ins className="text-slate-900 no-underline" data-testid="to">
            {c.to}
          </ins>
        </li>
      ))}
    </ul>
  )
}

/** A version's rules in words (a first version has nothing to be compared with). */
function Rules({ spec }: { spec: TPolicySpec }) {
  return (
    <dl className="grid gap-x-4 gap-y-0.5 sm:grid-cols-[10rem_1fr]" data-testid="rules">
      {specLines(spec).map((l) => (
        <div key={l.label} className="contents">
          <dt className="font-medium text-slate-700">{l.label}</dt>
          <dd>{l.value}</dd>
        </div>
      ))}
    </dl>
  )
}

function HistoryCard({ org, p, canEdit }: { org: string; p: TPolicyDetail; canEdit: boolean }) {
  const rb = useRollback(org, p.id)
  const older = p.versions.filter((v) => v.status === 'published' && v.version !== p.published_version)
  const first = Math.min(...p.versions.map((v) => v.version))
  const [version, setVersion] = useState('')
  const [note, setNote] = useState('')
  const lines = rb.error instanceof ApiError ? rb.error.lines : []
  const lastPublished = Math.max(0, ...p.versions.filter((v) => v.status === 'published').map((v) => v.version))
  return (
    <Card title="Version history" subtitle="Newest first; each version's changed rules against the one before it, old → new. Published versions never change.">
      <ol className="divide-y divide-slate-100 text-sm" data-testid="versions">
        {p.versions.map((v) => (
          <li key={v.version} className="py-2" data-version={v.version} data-status={v.status}>
            <div className="flex flex-wrap items-baseline gap-2">
              <strong>v{v.version}</strong>
              <span
                className={`rounded px-1.5 text-xs ring-1 ${v.version === p.published_version ? 'bg-emerald-50 text-emerald-800 ring-emerald-200' : v.status === 'draft' ? 'bg-amber-50 text-amber-900 ring-amber-200' : 'bg-slate-50 text-slate-600 ring-slate-200'}`}
              >
                {v.version === p.published_version
                  ? 'in force'
                  : v.status === 'draft'
                    ? 'draft'
                    : p.published_version === null && v.version === lastPublished
                      ? 'withdrawn'
                      : 'superseded'}
              </span>
              {v.published_at && (
                <span className="text-slate-600">
                  published <When t={v.published_at} /> by {v.published_by}
                </span>
              )}
              {v.rolled_back_from && <span className="text-slate-600">(rollback to v{v.rolled_back_from})</span>}
              {v.evidence?.chosen && (
                <span>
                  selected <code>{ref(v.evidence.chosen)}</code>
                </span>
              )}
              {v.spec.canary && (
                <span className="text-slate-600">
                  canary {v.spec.canary.share_pct}% by {v.spec.canary.stable_by}
                </span>
              )}
            </div>
            {v.note && <p className="text-slate-800">“{v.note}”</p>}
            <div className="text-xs text-slate-600">
              {v.version === first ? (
                <>
                  <p className="mb-0.5 text-slate-500">First version, its rules:</p>
                  <Rules spec={v.spec} />
                </>
              ) : (
                <Changes changes={v.changes} />
              )}
            </div>
          </li>
        ))}
      </ol>
      {canEdit && older.length > 0 && (
        <form
          aria-label="Roll back"
          noValidate
          className="mt-4 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4"
          onSubmit={(e) => {
            e.preventDefault()
            rb.mutate({ version: Number(version || older[0].version), note }, { onSuccess: () => setNote('') })
          }}
        >
          <Field label="Roll back to" htmlFor="rb-version">
            <Select id="rb-version" value={version || String(older[0].version)} onChange={(e) => setVersion(e.target.value)}>
              {older.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}: {ref(v.evidence?.chosen)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Why" htmlFor="rb-note" error={lines.find((l) => l.startsWith('note:'))?.replace(/^note: /, '')}>
            <Input id="rb-note" value={note} onChange={(e) => setNote(e.target.value)} invalid={lines.some((l) => l.startsWith('note:'))} />
          </Field>
          <Button type="submit" variant="danger" disabled={rb.isPending}>
            {rb.isPending ? 'Rolling back…' : 'Roll back (publishes a copy)'}
          </Button>
          {rb.error && !lines.length && (
            <p role="alert" className="text-sm text-red-700">
              {rb.error.message}
            </p>
          )}
        </form>
      )}
      {canEdit && p.published_version !== null && <WithdrawForm org={org} p={p} />}
    </Card>
  )
}

/**
 * Withdraw the version in force: the step returns to the caller's default model (decide answers as without a policy).
 * The only way back from a first policy, e.g. a first canary, which has no older version to roll back to.
 */
function WithdrawForm({ org, p }: { org: string; p: TPolicyDetail }) {
  const wd = useWithdraw(org, p.id)
  const [note, setNote] = useState('')
  const lines = wd.error instanceof ApiError ? wd.error.lines : []
  const noteError = lines.find((l) => l.startsWith('note:'))?.replace(/^note: /, '')
  return (
    <form
      aria-label="Withdraw"
      noValidate
      className="mt-4 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4"
      onSubmit={(e) => {
        e.preventDefault()
        wd.mutate({ note }, { onSuccess: () => setNote('') })
      }}
    >
      <p className="w-full text-sm text-slate-600">
        Withdraw v{p.published_version}: no version in force, every call of the step goes to the caller&apos;s default model. The versions stay; publish or roll
        back to put one in force again.
      </p>
      <Field label="Why" htmlFor="wd-note" error={noteError}>
        <Input id="wd-note" value={note} onChange={(e) => setNote(e.target.value)} invalid={Boolean(noteError)} />
      </Field>
      <Button type="submit" variant="danger" disabled={wd.isPending}>
        {wd.isPending ? 'Withdrawing…' : `Withdraw v${p.published_version}`}
      </Button>
      {wd.error && !lines.length && (
        <p role="alert" className="text-sm text-red-700">
          {wd.error.message}
        </p>
      )}
    </form>
  )
}
