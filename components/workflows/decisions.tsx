'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { ApiError, callApi } from '@/components/api'
import { Alert, Button, Card, Field, Select, Skeleton } from '@/components/ui'
import { useCan } from '@/components/layout/role-context'
import { When } from '@/components/layout/time-zone'
import * as api from '@/lib/decision-record/api'
import type { TDecisionRecord } from '@/lib/decision-record/schema'
import type { TQueryOf } from '@/lib/http/endpoint'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'

// "Who chose what, when, on which figures?": the decision record saved as a dated decision (by those who may
// change routing), and the step's decisions listed with the figures they were made on.

const decisionsKey = (org: string, workflow: string, step: string) => ['decision-record-decisions', org, workflow, step] as const

const ta = 'block w-full rounded-md border border-slate-300 px-3 py-2 text-sm'

/** The form: choose one of the record's options (served or eval only), a note, save; says what was saved. */
export function SaveDecision({ org, record, query }: { org: string; record: TDecisionRecord; query: TQueryOf<typeof api.decisionRecord> }) {
  const qc = useQueryClient()
  const id = useId()
  const choices = [
    ...record.options.filter((o) => o.calls > 0).map((o) => ({ model: o.model, label: `${o.model} (served ${formatCount(o.calls)} calls)` })),
    ...record.candidates.map((c) => ({ model: c.model, label: `${c.model} (not served, eval only)` })),
  ]
  const [chosen, setChosen] = useState('')
  const [note, setNote] = useState('')
  const pick = chosen || choices[0]?.model || ''
  const save = useMutation({
    mutationFn: () =>
      callApi(api.saveDecision, {
        org,
        body: {
          workflow_id: record.workflow_id,
          step: record.step,
          chosen_model: pick,
          note,
          from: query.from,
          to: query.to,
          environment: query.environment,
          traffic_source: query.traffic_source,
        },
      }),
    onSuccess: () => {
      setNote('')
      return qc.invalidateQueries({ queryKey: decisionsKey(org, record.workflow_id, record.step) })
    },
  })
  if (!choices.length) return <p className="text-sm text-slate-500">No option to choose: the step has no calls and no eval results in the period.</p>
  const lines = save.error instanceof ApiError ? save.error.lines : []
  return (
    <form
      aria-label="Save decision"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      <div className="grid gap-3 sm:grid-cols-[minmax(14rem,1fr)_2fr]">
        <Field label="Chosen option" htmlFor={`${id}-model`} error={lines.find((l) => l.startsWith('chosen_model'))}>
          <Select id={`${id}-model`} value={pick} onChange={(e) => setChosen(e.target.value)} className="w-full">
            {choices.map((c) => (
              <option key={c.model} value={c.model}>
                {c.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="Note"
          htmlFor={`${id}-note`}
          hint="Why this option: the bar it clears, the saving, what to watch"
          error={lines.find((l) => l.startsWith('note'))}
        >
          <textarea id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={2000} className={ta} />
        </Field>
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save decision'}
        </Button>
        <span role="status" className="text-sm text-emerald-800" data-testid="decision-saved">
          {save.isSuccess && save.data ? `Decision saved: ${save.data.chosen_model}, with the record’s figures of today` : ''}
        </span>
      </div>
      {save.error && !lines.length && <Alert>{save.error.message}</Alert>}
    </form>
  )
}

/** The step's decisions, newest first: when, who, the model chosen and the figures of that day. */
export function DecisionsList({ org, workflow, step }: { org: string; workflow: string; step: string }) {
  const decisions = useQuery({
    queryKey: decisionsKey(org, workflow, step),
    queryFn: ({ signal }) => callApi(api.listDecisions, { org, query: { workflow_id: workflow, step }, signal }),
  })
  if (decisions.error) return <Alert>{decisions.error.message}</Alert>
  if (!decisions.data) return <Skeleton className="h-20" />
  const rows = decisions.data.decisions
  if (!rows.length) return <p className="text-sm text-slate-500">No decision saved for this step yet.</p>
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="decisions-table">
        <caption className="sr-only">Saved decisions of the step, newest first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <th className="py-2 pr-2 text-left font-medium">Date</th>
            <th className="px-2 py-2 text-left font-medium">Who</th>
            <th className="px-2 py-2 text-left font-medium">Chosen model</th>
            <th className="px-2 py-2 text-right font-medium">Its cost / call then</th>
            <th className="px-2 py-2 text-right font-medium">Step calls</th>
            <th className="px-2 py-2 text-right font-medium">Step cost</th>
            <th className="px-2 py-2 text-right font-medium">Quality pass rate</th>
            <th className="px-2 py-2 text-left font-medium">Note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} className="border-t border-slate-100 align-top">
              <td className="whitespace-nowrap py-1.5 pr-2">
                <When t={d.decided_at} />
              </td>
              <td className="px-2" data-field="decided-by">
                {d.decided_by.name}
              </td>
              <th scope="row" className="px-2 text-left font-medium">
                {d.chosen_model}
                {!d.figures.chosen_served && <span className="text-xs font-normal text-slate-500"> (eval only)</span>}
              </th>
              <td className="num px-2 text-right">
                {d.figures.chosen_cost_per_call_usd ? formatUsd(d.figures.chosen_cost_per_call_usd, { precise: true }) : 'unpriced'}
              </td>
              <td className="num px-2 text-right">{formatCount(d.figures.calls)}</td>
              <td className="num px-2 text-right">{formatUsd(d.figures.cost_usd)}</td>
              <td className="num px-2 text-right">{d.figures.quality_pass_rate === null ? '—' : formatPercent(d.figures.quality_pass_rate)}</td>
              <td className="px-2 text-slate-700">{d.note || <span className="text-slate-400">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The card on the decision record: the save form for those who may change routing, then the list. */
export function Decisions({ org, record, query }: { org: string; record: TDecisionRecord | undefined; query: TQueryOf<typeof api.decisionRecord> }) {
  const canSave = useCan('routing.write')
  return (
    <Card title="Decisions" subtitle="The record saved as a dated decision: who chose which option, with that day's figures kept as they were.">
      <div className="space-y-5">
        {canSave && (record ? <SaveDecision org={org} record={record} query={query} /> : <Skeleton className="h-24" />)}
        <DecisionsList org={org} workflow={query.workflow_id} step={query.step} />
      </div>
    </Card>
  )
}
