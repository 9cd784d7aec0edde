'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { callMicrosOf, perOutcomeMicros } from '@/lib/finance/parts'
import { microsToUsd } from '@/lib/domain'
import { useState, type FormEvent } from 'react'
import { useRouter, useSearchParams } from 'next/navigation'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Kpi, Select, Skeleton } from '@/components/ui'
import { FleetTabs } from '@/components/fleet/tabs'
import { useAddLineItem, useDeleteLineItem, useSavePool, useScenarioCost, useScenarioCostMonths } from '@/components/fleet/queries'
import { fieldErrors, parseShares, PART_LABEL, partSegments, ROLE_LABEL, scenarioTrend } from '@/lib/gpu/view'
import { SCENARIO_PART_COLORS } from '@/components/charts/theme'
import type { TLineItem, TScenarioCostAnswer } from '@/lib/scenarios/schema'
import type { TPoolAllocation } from '@/lib/gpu/scenario-cost'
import { formatCount, formatMonth, formatUsd } from '@/lib/format'

// What a scenario really costs in a month: not only its calls, but the share
// of staging, canary and reserve GPUs kept for it, its evals, and the
// engineering and operations time finance books against it.

const monthLabel = (m: string) => formatMonth(`${m}-01T00:00:00Z`)
const PARTS = Object.keys(PART_LABEL)

/** canWrite: GPU pools' allocation rules (fleet.write); canWriteLineItems: the line items (line_items.write). */
export function Scenarios({ org, canWrite, canWriteLineItems }: { org: string; canWrite: boolean; canWriteLineItems: boolean }) {
  const params = useSearchParams()
  const router = useRouter()
  const month = params?.get('month') ?? null
  const cost = useScenarioCost(org, month)
  const d = cost.data
  const sum = (pick: (s: TScenarioCostAnswer['scenarios'][number]) => string) => (d ? d.scenarios.reduce((t, s) => t + Number(pick(s)), 0) : 0)
  const capacity = sum((s) => s.parts.production_capacity) + sum((s) => s.parts.non_production_capacity) + sum((s) => s.parts.reserve)

  return (
    <div className="space-y-6">
      <FleetTabs org={org} current="scenarios" />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Scenario cost</h1>
          <p className="text-sm text-slate-600">
            Per scenario (its <code>scenario_id</code>, or its workflow when none is set): production calls, its share of the GPU pools that serve it, evals,
            internal traffic and the engineering and operations costs booked against it. Months are UTC.
          </p>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor="scenario-month" className="text-sm text-slate-600">
            Month
          </label>
          <Select id="scenario-month" value={d ? d.month : (month ?? '')} onChange={(e) => router.replace(`/${org}/fleet/scenarios?month=${e.target.value}`)}>
            {(d?.months ?? (month ? [month] : [])).map((m) => (
              <option key={m} value={m}>
                {monthLabel(m)}
              </option>
            ))}
          </Select>
        </div>
      </div>
      {cost.error && <Alert>Could not load scenario cost: {cost.error.message}</Alert>}

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label={d ? `All scenarios, ${monthLabel(d.month)}` : 'All scenarios'}
          testId="kpi-total"
          value={d ? formatUsd(d.total_usd) : null}
          hint={d ? `${d.from.slice(0, 10)} to ${d.to.slice(0, 16).replace('T', ' ')} UTC: calls, pools and line items` : undefined}
        />
        <Kpi
          label="GPU capacity beyond calls"
          testId="kpi-capacity"
          value={d ? formatUsd(capacity) : null}
          hint="pool cost the calls' GPU-seconds did not pay for, shared out"
        />
        <Kpi label="Eval & benchmark" testId="kpi-eval" value={d ? formatUsd(sum((s) => s.parts.eval_benchmark)) : null} hint="eval and replay traffic" />
        <Kpi
          label="Engineering & operations"
          testId="kpi-items"
          value={d ? formatUsd(sum((s) => s.parts.engineering) + sum((s) => s.parts.operations)) : null}
          hint="line items entered below"
        />
      </section>

      <Card
        title="Cost per scenario"
        subtitle="Each part in USD for the month; cost per accepted outcome is the total ÷ the workflow's accepted outcomes (reported per workflow)."
      >
        {d ? (
          d.scenarios.length ? (
            <ScenarioTable d={d} />
          ) : (
            <p className="text-sm text-slate-600">
              Nothing this month yet. Send calls with <code>scenario_id</code> (or a workflow) to <code>POST /api/v1/events</code>, create GPU pools on the GPU
              fleet page and name the scenarios they serve, or add a line item below.
            </p>
          )
        ) : (
          <Skeleton className="h-40" />
        )}
      </Card>

      <Card
        title="Shared pools: how their cost is split"
        subtitle="What calls paid through their GPU-seconds stays with them; the rest of each pool is split between the scenarios it serves by its rule. The split is exact to the micro-dollar and adds up to the pool."
      >
        {d ? (
          d.pools.length ? (
            <PoolSplits org={org} pools={d.pools} canWrite={canWrite} />
          ) : (
            <p className="text-sm text-slate-600">No GPU pool cost this month. Pools are created on the GPU fleet page.</p>
          )
        ) : (
          <Skeleton className="h-32" />
        )}
      </Card>

      {d && <Trend org={org} current={d} months={d.months.filter((m) => m <= d.month).slice(0, 3)} />}

      <LineItems org={org} d={d ?? null} canWrite={canWriteLineItems} />
    </div>
  )
}

/** The month and the two before it, side by side: is a scenario getting dearer per accepted outcome? */
function Trend({ org, months, current }: { org: string; months: string[]; current: TScenarioCostAnswer }) {
  // the shown month is the answer above (one figure per month on the page: a second request a moment later would accrue more pool cost)
  const results = useScenarioCostMonths(
    org,
    months.filter((m) => m !== current.month),
  )
  const loaded = results.every((r) => r.data)
  const error = results.find((r) => r.error)?.error
  const t = loaded
    ? scenarioTrend(
        months.map((m) => (m === current.month ? current : results.find((r) => r.data?.month === m)?.data)).filter((x): x is TScenarioCostAnswer => !!x),
      )
    : null
  type TTrendRow = NonNullable<typeof t>['rows'][number]
  const cellOf = (r: TTrendRow, m: string) => r.cells.find((c) => c.month === m)
  const sorter = useSort<TTrendRow, string>(t?.rows, {
    scenario: (r) => r.scenario,
    ...Object.fromEntries(
      (t?.months ?? []).flatMap((m) => [
        [`${m}-t`, (r: TTrendRow) => moneyKey(cellOf(r, m)?.total_usd)],
        [`${m}-o`, (r: TTrendRow) => moneyKey(cellOf(r, m)?.per_outcome_usd)],
      ]),
    ),
  })
  return (
    <Card title="Month by month" subtitle="Each scenario's total and cost per accepted outcome over the last three months (the current month to date).">
      {error && <Alert>Could not load: {error.message}</Alert>}
      {t ? (
        t.rows.length ? (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="scenario-trend">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <SortTh sorter={sorter} k="scenario" className="py-1.5 text-left font-medium">
                    Scenario
                  </SortTh>
                  {t.months.map((m) => (
                    <th key={m} colSpan={2} className="text-right font-medium">
                      {monthLabel(m)}
                    </th>
                  ))}
                </tr>
                <tr className="text-[11px]">
                  <th />
                  {t.months.map((m) => [
                    <SortTh key={`${m}-t`} sorter={sorter} k={`${m}-t`} className="text-right font-normal">
                      Total
                    </SortTh>,
                    <SortTh key={`${m}-o`} sorter={sorter} k={`${m}-o`} className="text-right font-normal">
                      Per accepted outcome
                    </SortTh>,
                  ])}
                </tr>
              </thead>
              <tbody>
                {sorter.rows.map((r) => (
                  <tr key={r.scenario} className="border-t border-slate-100">
                    <td className="py-1.5 font-medium">{r.scenario}</td>
                    {r.cells.map((c) => [
                      <td key={`${c.month}-t`} className="num text-right">
                        {c.total_usd === null ? '—' : formatUsd(c.total_usd)}
                      </td>,
                      <td key={`${c.month}-o`} className="num text-right text-slate-600">
                        {c.per_outcome_usd === null ? '—' : formatUsd(c.per_outcome_usd)}
                      </td>,
                    ])}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="text-sm text-slate-600">No scenario cost in these months.</p>
        )
      ) : (
        !error && <Skeleton className="h-32" />
      )}
    </Card>
  )
}

function ScenarioTable({ d }: { d: TScenarioCostAnswer }) {
  type TRow = TScenarioCostAnswer['scenarios'][number]
  const sorter = useSort<TRow, string>(d.scenarios, {
    scenario: (s) => s.scenario,
    ...Object.fromEntries(PARTS.map((p) => [p, (s: TRow) => moneyKey(s.parts[p as keyof typeof s.parts])])),
    api: (s) => callMicrosOf(s),
    total: (s) => moneyKey(s.total_usd),
    outcomes: (s) => s.accepted_outcomes,
    api_per: (s) => (s.accepted_outcomes > 0 ? perOutcomeMicros(callMicrosOf(s), s.accepted_outcomes) : null),
    per: (s) => moneyKey(s.cost_per_accepted_outcome_usd),
  })
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-3 text-xs text-slate-600" aria-hidden>
        {PARTS.map((p) => (
          <span key={p} className="flex items-center gap-1">
            <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: SCENARIO_PART_COLORS[p] }} />
            {PART_LABEL[p]}
          </span>
        ))}
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="scenarios">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="scenario" className="py-1.5 text-left font-medium">
                Scenario
              </SortTh>
              {PARTS.map((p) => (
                <SortTh key={p} sorter={sorter} k={p} className="px-1 text-right font-medium">
                  {PART_LABEL[p]}
                </SortTh>
              ))}
              <SortTh
                sorter={sorter}
                k="api"
                className="px-1 text-right font-medium"
                title="What the scenario's calls were priced at (production, eval and internal calls): the monthly report's API cost"
              >
                API cost
              </SortTh>
              <SortTh sorter={sorter} k="total" className="px-1 text-right font-medium" title="Fully loaded cost incl. GPU and line items: every part">
                Fully loaded
              </SortTh>
              <SortTh sorter={sorter} k="outcomes" className="px-1 text-right font-medium">
                Accepted outcomes
              </SortTh>
              <SortTh sorter={sorter} k="api_per" className="px-1 text-right font-medium">
                API cost per outcome
              </SortTh>
              <SortTh sorter={sorter} k="per" className="px-1 text-right font-medium">
                Fully loaded per outcome
              </SortTh>
            </tr>
          </thead>
          <tbody>
            {sorter.rows.map((s) => (
              <tr key={s.scenario} className="border-t border-slate-100 align-top" data-scenario={s.scenario}>
                <td className="py-1.5 pr-2">
                  <div className="font-medium">{s.scenario}</div>
                  <div className="mt-1 flex h-1.5 w-40 overflow-hidden rounded bg-slate-100" role="img" aria-label={`Parts of ${s.scenario}'s cost`}>
                    {partSegments(s.parts, s.total_usd).map((g) => (
                      <div
                        key={g.part}
                        style={{ width: `${g.share * 100}%`, background: SCENARIO_PART_COLORS[g.part] }}
                        title={`${PART_LABEL[g.part]}: ${formatUsd(g.usd)}`}
                      />
                    ))}
                  </div>
                </td>
                {PARTS.map((p) => (
                  <td key={p} className="num px-1 text-right text-slate-700" data-part={p} data-usd={s.parts[p as keyof typeof s.parts]}>
                    {Number(s.parts[p as keyof typeof s.parts]) ? formatUsd(s.parts[p as keyof typeof s.parts]) : '—'}
                  </td>
                ))}
                <td className="num px-1 text-right" data-api={microsToUsd(callMicrosOf(s))}>
                  {formatUsd(microsToUsd(callMicrosOf(s)))}
                </td>
                <td className="num px-1 text-right font-semibold" data-total={s.total_usd}>
                  {formatUsd(s.total_usd)}
                </td>
                <td className="num px-1 text-right">{formatCount(s.accepted_outcomes)}</td>
                <td className="num px-1 text-right" data-api-per-outcome>
                  {s.accepted_outcomes > 0 ? formatUsd(microsToUsd(perOutcomeMicros(callMicrosOf(s), s.accepted_outcomes))) : '—'}
                </td>
                <td className="num px-1 text-right" data-per-outcome={s.cost_per_accepted_outcome_usd ?? ''}>
                  {s.cost_per_accepted_outcome_usd === null ? '—' : formatUsd(s.cost_per_accepted_outcome_usd)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

const RULE_LABEL = { gpu_seconds: 'By GPU-seconds used', share: 'By fixed shares', even: 'Evenly' } as const

function PoolSplits({ org, pools, canWrite }: { org: string; pools: TPoolAllocation[]; canWrite: boolean }) {
  return (
    <div className="space-y-4" data-testid="pool-splits">
      {pools.map((p) => (
        <div key={p.pool} className="rounded-md border border-slate-200 p-3" data-pool={p.pool}>
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <div>
              <span className="font-medium">{p.pool}</span>{' '}
              <span className="text-xs text-slate-500">
                {ROLE_LABEL[p.role] ?? p.role} · counted as {PART_LABEL[p.part].toLowerCase()}
              </span>
            </div>
            <div className="text-sm text-slate-700">
              Pool{' '}
              <span className="num" data-pool-cost={p.cost_usd}>
                {formatUsd(p.cost_usd)}
              </span>{' '}
              = paid by calls{' '}
              <span className="num" data-used={p.used_by_calls_usd}>
                {formatUsd(p.used_by_calls_usd)}
              </span>{' '}
              + shared{' '}
              <span className="num" data-shared={p.allocated_usd}>
                {formatUsd(p.allocated_usd)}
              </span>
            </div>
          </div>
          <div className="mt-2 flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
            {canWrite ? <RuleEditor org={org} p={p} /> : <span className="text-slate-600">Rule: {RULE_LABEL[p.rule]}</span>}
            <ul className="flex flex-wrap gap-x-4 gap-y-1">
              {p.allocation.map((a) => (
                <li key={a.scenario}>
                  <span className="text-slate-600">{a.scenario}:</span> <span className="num">{formatUsd(a.usd)}</span>
                </li>
              ))}
            </ul>
          </div>
          {p.note && <p className="mt-1 text-xs text-amber-700">{p.note}</p>}
        </div>
      ))}
    </div>
  )
}

/** The pool's allocation rule, edited in place (PATCH /api/v1/gpu/pools). */
function RuleEditor({ org, p }: { org: string; p: TPoolAllocation }) {
  const save = useSavePool(org)
  const [rule, setRule] = useState(p.rule)
  const [shares, setShares] = useState(p.rule === 'share' ? p.allocation.map((a) => `${a.scenario}=${a.weight}`).join(', ') : '')
  const [localError, setLocalError] = useState<string | null>(null)
  const err = localError ?? (save.error instanceof ApiError ? save.error.lines.join('; ') || save.error.message : save.error?.message)
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const body: Record<string, unknown> = { name: p.pool, allocation: rule }
    if (rule === 'share') {
      const parsed = parseShares(shares)
      setLocalError(parsed.error)
      if (parsed.error) return
      body.shares = parsed.shares
    }
    save.mutate({ id: null, body, byName: true })
  }
  return (
    <form className="flex flex-wrap items-center gap-2" aria-label={`Split rule of ${p.pool}`} onSubmit={onSubmit} noValidate>
      <label htmlFor={`rule-${p.pool}`} className="text-slate-600">
        Rule
      </label>
      <Select id={`rule-${p.pool}`} value={rule} onChange={(e) => setRule(e.target.value as TPoolAllocation['rule'])}>
        {Object.entries(RULE_LABEL).map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </Select>
      {rule === 'share' && (
        <>
          <label htmlFor={`shares-${p.pool}`} className="sr-only">
            Shares of {p.pool}
          </label>
          <Input
            id={`shares-${p.pool}`}
            value={shares}
            onChange={(e) => setShares(e.target.value)}
            placeholder="kb-search=3, support=1"
            className="w-56 py-1.5"
            autoComplete="off"
          />
        </>
      )}
      <Button type="submit" variant="secondary" className="px-2 py-1" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Apply'}
      </Button>
      {err && (
        <span role="alert" className="text-xs text-red-700">
          {err}
        </span>
      )}
    </form>
  )
}

function LineItems({ org, d, canWrite }: { org: string; d: TScenarioCostAnswer | null; canWrite: boolean }) {
  const add = useAddLineItem(org)
  const del = useDeleteLineItem(org)
  const [f, setF] = useState<{ scenario: string; category: TLineItem['category']; amount_usd: string; note: string }>({
    scenario: '',
    category: 'engineering',
    amount_usd: '',
    note: '',
  })
  const errors = fieldErrors(add.error instanceof ApiError ? add.error.lines : [])
  const items = useSort(d?.line_items, {
    scenario: (li) => li.scenario,
    kind: (li) => li.category,
    amount: (li) => moneyKey(li.amount_usd),
    note: (li) => li.note,
  })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (!d) return
    add.mutate({ ...f, scenario: f.scenario.trim(), month: d.month }, { onSuccess: () => setF({ ...f, amount_usd: '', note: '' }) })
  }
  return (
    <Card
      title="Engineering and operations line items"
      subtitle={d ? `Monthly amounts booked against a scenario in ${monthLabel(d.month)}, each with what it is.` : undefined}
    >
      {d ? (
        d.line_items.length ? (
          <table className="mb-4 w-full text-sm" data-testid="line-items">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <SortTh sorter={items} k="scenario" className="py-1.5 text-left font-medium">
                  Scenario
                </SortTh>
                <SortTh sorter={items} k="kind" className="text-left font-medium">
                  Kind
                </SortTh>
                <SortTh sorter={items} k="amount" className="text-right font-medium">
                  Amount
                </SortTh>
                <SortTh sorter={items} k="note" className="pl-4 text-left font-medium">
                  Note
                </SortTh>
                {canWrite && <th className="sr-only">Remove</th>}
              </tr>
            </thead>
            <tbody>
              {items.rows.map((li) => (
                <tr key={li.id} className="border-t border-slate-100">
                  <td className="py-1.5">{li.scenario}</td>
                  <td>{li.category === 'engineering' ? 'Engineering' : 'Operations'}</td>
                  <td className="num text-right">{formatUsd(li.amount_usd)}</td>
                  <td className="pl-4 text-slate-600">{li.note}</td>
                  {canWrite && (
                    <td className="text-right">
                      <Button
                        variant="secondary"
                        className="px-2 py-1"
                        disabled={del.isPending}
                        onClick={() => del.mutate(li.id)}
                        aria-label={`Remove ${li.note}`}
                      >
                        Remove
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mb-4 text-sm text-slate-600">
            No line items this month.{canWrite ? ' Add the engineering and operations time spent on a scenario below.' : ''}
          </p>
        )
      ) : (
        <Skeleton className="mb-4 h-16" />
      )}
      {canWrite && d && (
        <form onSubmit={onSubmit} className="grid items-start gap-3 sm:grid-cols-5" aria-label="New line item" noValidate>
          <Field label="Scenario" htmlFor="li-scenario" error={errors.scenario}>
            <Input id="li-scenario" list="li-scenarios" value={f.scenario} onChange={set('scenario')} invalid={!!errors.scenario} autoComplete="off" />
            <datalist id="li-scenarios">
              {d.scenarios.map((s) => (
                <option key={s.scenario} value={s.scenario} />
              ))}
            </datalist>
          </Field>
          <Field label="Kind" htmlFor="li-category" error={errors.category}>
            <Select id="li-category" value={f.category} onChange={set('category')} className="block w-full py-2">
              <option value="engineering">Engineering</option>
              <option value="operations">Operations</option>
            </Select>
          </Field>
          <Field label="Amount (USD, this month)" htmlFor="li-amount" error={errors.amount_usd}>
            <Input id="li-amount" value={f.amount_usd} onChange={set('amount_usd')} inputMode="decimal" invalid={!!errors.amount_usd} autoComplete="off" />
          </Field>
          <Field label="Note" htmlFor="li-note" error={errors.note}>
            <Input id="li-note" value={f.note} onChange={set('note')} placeholder="on-call rotation, 0.5 FTE" invalid={!!errors.note} autoComplete="off" />
          </Field>
          <div className="pt-6">
            <Button type="submit" disabled={add.isPending}>
              {add.isPending ? 'Adding…' : 'Add line item'}
            </Button>
          </div>
        </form>
      )}
    </Card>
  )
}
