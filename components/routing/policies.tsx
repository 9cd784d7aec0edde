'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Skeleton } from '@/components/ui'
import { useCreatePolicy, usePolicies } from '@/components/routing/queries'
import { RoutingDefaults } from '@/components/routing/defaults'
import { applyDraftParams, DRAFT_SOURCES, draftQuery, parseDraftParams, parseModelLines, parseBarLines, type TDraftParams } from '@/lib/routing/form'
import { useSeenSteps } from '@/components/routing/queries'
import type { TPolicyView } from '@/lib/routing/policies'

// "Which model does each step of our workflows use, under which rule, since
// when?" — one row per policy, grouped by workflow.

export function Policies({ org, canEdit }: { org: string; canEdit: boolean }) {
  const list = usePolicies(org)
  const rows = list.data?.policies ?? null
  const router = useRouter()
  const change = parseDraftParams(useSearchParams())
  // A drafted change (from Opportunities) opens the step's policy for all its traffic, pre-filled; without one, the new-policy form is.
  const target =
    change && rows ? rows.find((p) => p.workflow_id === change.workflow_id && p.step === change.step && !p.environment && !p.account_id) : undefined
  useEffect(() => {
    if (change && target) router.replace(`/${org}/routing/${target.id}?${draftQuery(change)}`)
  }, [change, target, org, router])
  const byWorkflow = new Map<string, TPolicyView[]>()
  for (const p of rows ?? []) byWorkflow.set(p.workflow_id, [...(byWorkflow.get(p.workflow_id) ?? []), p])
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Routing</h1>
        <p className="text-sm text-slate-600">
          A policy per workflow step picks the cheapest model whose eval results clear the step&apos;s quality bar, by cache-adjusted cost per call.{' '}
          <code>POST /api/v1/decide</code> answers with it at run time.
        </p>
      </div>
      {list.error && <Alert>Could not load the policies: {list.error.message}</Alert>}
      {change && rows && !target && (
        <div role="status" data-testid="drafted-change" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          <strong>Drafted from {DRAFT_SOURCES[change.from ?? 'opportunities']}:</strong> {change.workflow_id} / {change.step} has no routing policy yet.{' '}
          {canEdit
            ? 'The new policy below is filled in: create the draft (nothing is published), and its editor opens with the change and its simulation.'
            : 'An admin or engineer can create one.'}
        </div>
      )}
      {change && target && (
        <p role="status" className="text-sm text-slate-600">
          Opening the policy of {change.workflow_id} / {change.step} with the drafted change…
        </p>
      )}
      <Card title="Policies" subtitle="Per workflow step; a segment narrows a policy to one environment or one customer account.">
        {rows === null ? (
          <Skeleton className="h-32" />
        ) : rows.length === 0 ? (
          <div className="space-y-2 text-sm text-slate-700" data-testid="policies-empty">
            <p>
              No routing policies yet. {canEdit ? 'Create one below for a workflow step' : 'An admin or engineer can create one'}, or send it as code to{' '}
              <code>POST /api/v1/policies</code> with a <code>write</code> key.
            </p>
            <p>
              Import eval results first (<code>POST /api/v1/evals</code>, or a CSV in the policy editor): a policy publishes only when a candidate clears its
              bar.
            </p>
          </div>
        ) : (
          <div className="space-y-5" data-testid="policies">
            {[...byWorkflow].map(([wf, ps]) => (
              <section key={wf} aria-label={`Workflow ${wf}`}>
                <h3 className="mb-1 text-sm font-semibold text-slate-900">{wf}</h3>
                <PolicyTable org={org} ps={ps} />
              </section>
            ))}
          </div>
        )}
      </Card>
      {canEdit && (
        <Card title="New policy" subtitle="Starts as a draft: import evals, run the simulation and publish from the editor.">
          <NewPolicyForm org={org} change={change && rows && !target ? change : null} />
        </Card>
      )}
      <RoutingDefaults org={org} canEdit={canEdit} />
    </div>
  )
}

function NewPolicyForm({ org, change }: { org: string; change: TDraftParams | null }) {
  const create = useCreatePolicy(org)
  const router = useRouter()
  const [f, setF] = useState({ workflow_id: '', step: '', candidates: '', bar: '' })
  const changeKey = change ? draftQuery(change) : ''
  // biome-ignore lint/correctness/useExhaustiveDependencies: fill the form once per drafted change (its query), not on every render
  useEffect(() => {
    if (change)
      setF((x) => ({
        ...x,
        workflow_id: change.workflow_id,
        step: change.step,
        candidates: applyDraftParams({ candidates: '', max_tokens_cap: '', cache_ttl_s: '' }, change).candidates || x.candidates,
      }))
  }, [changeKey])
  // Workflow and step are picked from what the data has (the last 90 days), or typed (a drafted value, a step not live yet).
  const seen = useSeenSteps(org)
  const workflows = [...new Set((seen.data ?? []).map((r) => r.workflow_id))]
  const steps = (seen.data ?? []).filter((r) => r.workflow_id === f.workflow_id.trim())
  const [local, setLocal] = useState<Record<string, string>>({})
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const lines = create.error instanceof ApiError ? create.error.lines : []
  const errorOf = (field: string) =>
    local[field] ??
    lines
      .filter((l) => l.startsWith(`${field}:`) || l.startsWith(`${field}.`))
      .map((l) => l.replace(/^[^:]+: /, ''))
      .join('; ') ??
    undefined
  const other = create.error && !lines.length ? create.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const candidates = parseModelLines(f.candidates)
    const bar = parseBarLines(f.bar)
    const errs: Record<string, string> = {}
    if (candidates.error) errs.candidates = candidates.error
    if (bar.error) errs.quality_bar = bar.error
    setLocal(errs)
    if (Object.keys(errs).length) return
    create.mutate(
      { workflow_id: f.workflow_id.trim(), step: f.step.trim(), candidates: candidates.models, quality_bar: bar.bar },
      { onSuccess: ({ policy }) => router.push(`/${org}/routing/${policy.id}${change ? `?${draftQuery(change)}` : ''}`) },
    )
  }
  const err = (k: string) => errorOf(k) || undefined
  return (
    <form onSubmit={onSubmit} aria-label="New policy" noValidate className="space-y-4">
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Workflow"
          htmlFor="p-workflow"
          error={err('workflow_id')}
          hint={seen.data ? `Pick one of the ${workflows.length} workflows seen in the last 90 days, or type a new one` : 'Loading the workflows seen…'}
        >
          <Input
            id="p-workflow"
            list="p-workflows"
            autoComplete="off"
            value={f.workflow_id}
            onChange={set('workflow_id')}
            invalid={!!err('workflow_id')}
            placeholder="support-agent"
          />
          <datalist id="p-workflows" data-testid="workflow-options">
            {workflows.map((w) => (
              <option key={w} value={w} />
            ))}
          </datalist>
        </Field>
        <Field
          label="Step"
          htmlFor="p-step"
          error={err('step')}
          hint={
            f.workflow_id.trim()
              ? steps.length
                ? `Steps of ${f.workflow_id.trim()} seen in the last 90 days: ${steps.map((r) => r.step).join(', ')}`
                : `No calls of ${f.workflow_id.trim()} in the last 90 days: type the step`
              : 'Pick a workflow first to see its steps'
          }
        >
          <Input id="p-step" list="p-steps" autoComplete="off" value={f.step} onChange={set('step')} invalid={!!err('step')} placeholder="classify" />
          <datalist id="p-steps" data-testid="step-options">
            {steps.map((r) => (
              <option key={r.step} value={r.step}>{`${r.events.toLocaleString('en-US')} calls`}</option>
            ))}
          </datalist>
        </Field>
        <Field label="Candidate models" htmlFor="p-candidates" error={err('candidates')} hint="One provider/model per line, e.g. openai/gpt-4o-mini">
          <textarea
            id="p-candidates"
            value={f.candidates}
            onChange={set('candidates')}
            rows={4}
            aria-invalid={!!err('candidates') || undefined}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
          />
        </Field>
        <Field label="Quality bar" htmlFor="p-bar" error={err('quality_bar')} hint="One metric per line: grounding >= 0.92 (scores from 0 to 1)">
          <textarea
            id="p-bar"
            value={f.bar}
            onChange={set('bar')}
            rows={4}
            aria-invalid={!!err('quality_bar') || undefined}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
          />
        </Field>
      </div>
      {other && (
        <p role="alert" className="text-sm text-red-700">
          {other}
        </p>
      )}
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create draft policy'}
      </Button>
    </form>
  )
}

/** One workflow's policies, sortable by each column. */
function PolicyTable({ org, ps }: { org: string; ps: TPolicyView[] }) {
  const sorter = useSort(ps, {
    step: (p) => p.step,
    segment: (p) => [p.environment, p.account_id].filter(Boolean).join(' '),
    version: (p) => p.published?.version ?? null,
    model: (p) => (p.published?.chosen ? `${p.published.chosen.provider}/${p.published.chosen.model}` : null),
    draft: (p) => p.draft_version ?? null,
  })
  return (
    <table className="w-full text-sm">
      <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <SortTh sorter={sorter} k="step" className="py-1">
            Step
          </SortTh>
          <SortTh sorter={sorter} k="segment">
            Segment
          </SortTh>
          <SortTh sorter={sorter} k="version">
            In force
          </SortTh>
          <SortTh sorter={sorter} k="model">
            Selected model
          </SortTh>
          <SortTh sorter={sorter} k="draft">
            Draft
          </SortTh>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {sorter.rows.map((p) => (
          <tr key={p.id} data-policy={`${p.workflow_id}/${p.step}`}>
            <td className="py-2">
              <Link className="font-medium text-brand-700 hover:underline" href={`/${org}/routing/${p.id}`}>
                {p.step}
              </Link>
            </td>
            <td className="text-slate-600">{[p.environment, p.account_id && `account ${p.account_id}`].filter(Boolean).join(', ') || 'all traffic'}</td>
            <td>
              {p.published ? (
                `v${p.published.version}${p.published.canary ? ` (canary ${p.published.canary.share_pct}% over ${p.published.base_version === null ? "the caller's default" : `v${p.published.base_version}`})` : ''}`
              ) : (
                <span className="text-slate-500">not published</span>
              )}
            </td>
            <td className="font-mono text-xs">{p.published?.chosen ? `${p.published.chosen.provider}/${p.published.chosen.model}` : '—'}</td>
            <td>
              {p.draft_version ? (
                <span className="rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-900 ring-1 ring-amber-200">v{p.draft_version} unpublished</span>
              ) : (
                <span className="text-slate-400">none</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
