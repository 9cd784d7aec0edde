'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { formatDate, formatDateTime } from '@/lib/format'
import { ErrorAlert } from '@/components/error-alert'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo, useState, type FormEvent } from 'react'
import { Button, Card, Input, Kpi, Select, Skeleton } from '@/components/ui'
import { useMetrics } from '@/components/metrics/queries'
import { downloadCsv, signedCents, signedPercent } from '@/components/metrics/breakdown'
import { ScopeSelects } from '@/components/metrics/filters'
import { WaterfallChart } from '@/components/charts/waterfall-chart'
import { useChanges } from '@/components/changes/queries'
import {
  changesCsvFilename,
  changesCsvRows,
  changesQuery,
  CONTRIBUTOR_SECTIONS,
  parseChangesParams,
  waterfallBars,
  changesRangeLabel,
  type TChangesUrlState,
  type TChangesView,
} from '@/lib/changes/view'
import type { TContributor } from '@/lib/changes/decompose'
import { toCsv } from '@/lib/csv'
import { formatCount, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'

// The question engineers and finance bring here: "why is spend different from
// last week?" — the delta between two periods split into volume, tokens per
// call, model mix, price and retries, and who moved it.

// periods are UTC days (custom: whole days; otherwise up to the current hour, whose label carries "UTC" already)
const periodLabel = (p: { from: string; to: string }, custom: boolean) =>
  custom ? `${formatDate(p.from, 'UTC')} – ${formatDate(Date.parse(p.to) - 1, 'UTC')} UTC` : `${formatDate(p.from, 'UTC')} – ${formatDateTime(p.to, 'UTC')}`
const tone = (usd: string) => (usd.startsWith('-') ? 'text-emerald-700' : usd === '0.000000' ? 'text-slate-500' : 'text-amber-700')
const signed = (usd: string) => (usd === '0.000000' ? '$0.00' : signedCents(usd))

export function Changes({ org }: { org: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const qs = params.toString()
  const view = useMemo(() => parseChangesParams(new URLSearchParams(qs)), [qs])
  const changes = useChanges(org, view)
  const data = changes.data
  const go = (next: TChangesUrlState) => router.push(`${pathname}?${changesQuery(next)}`, { scroll: false })
  const hrefFor = (patch: Partial<TChangesUrlState>) => `/${org}/changes?${changesQuery({ ...view, days: view.custom ? view.days : null, ...patch })}`
  const scoped = !!view.workflow_id || !!view.account_id || !!view.environment || !!view.traffic_source
  const empty = !!data && data.a.events === 0 && data.b.events === 0
  const bars = useMemo(() => (data ? waterfallBars(data) : null), [data])
  // the parts in the waterfall's order until a header is pressed
  const parts = useSort(data?.parts, { part: (p) => p.label, usd: (p) => moneyKey(p.usd) })
  const canExport = useCan('exports.read')
  const exportCsv = () => data && downloadCsv(changesCsvFilename(view), toCsv(changesCsvRows(data)))
  const scopeText = view.workflow_id ? `workflow ${view.workflow_id}` : view.account_id ? `account ${view.account_id}` : 'the whole organization'

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">What changed</h1>
        <p className="text-sm text-slate-600">
          Why spend in period B differs from period A, split into volume, tokens per call, model mix, price and retries; the parts add up to the change exactly.{' '}
          <ZoneNote />
        </p>
      </div>

      <CompareForm key={qs} org={org} view={view} onApply={go} />

      <p className="text-sm text-slate-600" data-testid="periods">
        Comparing <span className="font-medium text-slate-800">B: {periodLabel(view.b, view.custom)}</span> with{' '}
        <span className="font-medium text-slate-800">A: {periodLabel(view.a, view.custom)}</span>, for {scopeText}
        {view.environment ? `, ${view.environment} environment` : ''}
        {view.traffic_source ? `, ${view.traffic_source} traffic` : ''}.
        {view.custom && (
          <>
            {' '}
            <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/changes?${changesQuery({ ...view, days: null })}`}>
              Back to {changesRangeLabel(view.range)} vs the period before
            </Link>
          </>
        )}
      </p>

      {changes.error && <ErrorAlert error={changes.error} prefix="Could not load the comparison: " />}

      {empty ? (
        <Card title="No spend in either period">
          <div className="space-y-3 text-sm text-slate-700">
            <p>There is nothing to compare: no model calls were recorded {scoped ? 'for this scope and these filters ' : ''}in period A or in period B.</p>
            <ol className="list-decimal space-y-1 pl-5">
              <li>Pick other days above (the default compares the last 7 days with the 7 before).</li>
              {scoped && (
                <li>
                  <Link
                    className="font-medium text-brand-600 hover:underline"
                    href={`/${org}/changes?${changesQuery({ days: view.custom ? view.days : null })}`}
                  >
                    Compare the whole organization
                  </Link>{' '}
                  instead of this workflow, account or filter.
                </li>
              )}
              <li>
                No events at all yet?{' '}
                <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/settings`}>
                  Create an API key
                </Link>{' '}
                with the <code>ingest</code> scope and send each model call to <code>POST /api/v1/events</code>.
              </li>
            </ol>
          </div>
        </Card>
      ) : (
        <>
          <section aria-label="Totals" className="grid grid-cols-1 gap-4 sm:grid-cols-3">
            <Kpi
              label="Spend, period A"
              value={data ? formatUsd(data.a.cost_usd) : null}
              testId="kpi-a"
              hint={data ? `${formatCount(data.a.events)} calls, ${formatCount(data.a.runs)} runs` : undefined}
            />
            <Kpi
              label="Spend, period B"
              value={data ? formatUsd(data.b.cost_usd) : null}
              testId="kpi-b"
              hint={data ? `${formatCount(data.b.events)} calls, ${formatCount(data.b.runs)} runs` : undefined}
            />
            <Kpi
              label="Change, B − A"
              value={data ? signed(data.delta_usd) : null}
              testId="kpi-delta"
              hint={data ? (data.delta_ratio === null ? 'No spend in period A' : `${signedPercent(data.delta_ratio)} vs period A`) : undefined}
              warn={!!data && data.delta_ratio !== null && data.delta_ratio >= 0.2}
            />
          </section>

          <Card
            title="Where the change comes from"
            subtitle="USD. Each part changes one thing at a time, from period A to period B; together they make the change exactly."
            actions={
              canExport ? (
                <Button variant="secondary" onClick={exportCsv} disabled={!data}>
                  Export CSV
                </Button>
              ) : undefined
            }
          >
            {bars ? <WaterfallChart bars={bars} /> : <Skeleton className="h-72" />}
            {data ? (
              <div className="mt-4 overflow-x-auto">
                <table className="w-full text-sm" data-testid="parts">
                  <caption className="sr-only">The change split into five parts</caption>
                  <thead className="text-xs uppercase text-slate-500">
                    <tr className="border-b border-slate-200">
                      <SortTh sorter={parts} k="part" className="py-2 pr-2 text-left font-medium">
                        Part
                      </SortTh>
                      <SortTh sorter={parts} k="usd" className="px-2 py-2 text-right font-medium">
                        Change
                      </SortTh>
                      <th scope="col" className="py-2 pl-2 text-left font-medium">
                        Why
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {parts.rows.map((p) => (
                      <tr key={p.part} className="border-t border-slate-100 align-top" data-part={p.part}>
                        <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                          {p.label}
                        </th>
                        <td
                          className={`num whitespace-nowrap px-2 py-1.5 text-right ${tone(p.usd)}`}
                          data-usd={p.usd}
                          title={formatUsd(p.usd, { precise: true })}
                        >
                          {signed(p.usd)}
                        </td>
                        <td className="py-1.5 pl-2 text-slate-700">{p.explanation}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr className="border-t border-slate-300 font-semibold">
                      <th scope="row" className="py-1.5 pr-2 text-left">
                        Total change
                      </th>
                      <td className={`num whitespace-nowrap px-2 py-1.5 text-right ${tone(data.delta_usd)}`} data-testid="delta" data-usd={data.delta_usd}>
                        {signed(data.delta_usd)}
                      </td>
                      <td className="py-1.5 pl-2 font-normal text-slate-600">
                        {formatUsd(data.a.cost_usd)} → {formatUsd(data.b.cost_usd)}
                      </td>
                    </tr>
                  </tfoot>
                </table>
                <p className="mt-3 text-xs text-slate-500">
                  Volume: calls per step (runs × calls per run). Tokens per call: weighted by each model&apos;s prices, so an output token counts for what it
                  costs. Model mix: each model&apos;s share of a step&apos;s calls; a model new in period B has no baseline price, so all its spend is mix.
                  Price: cost per token of the same model. Retries and errors: spend on calls whose outcome was <code>retry</code> or <code>error</code>, beyond
                  what the volume change explains. A new or vanished workflow or step counts as volume.
                </p>
              </div>
            ) : (
              <Skeleton className="mt-4 h-48" />
            )}
          </Card>

          <div className="grid gap-6 lg:grid-cols-2">
            {CONTRIBUTOR_SECTIONS.map((s) => (
              <Card key={s.key} title={`Top ${s.title.toLowerCase()} by change`} subtitle="Largest change in spend first, up or down.">
                {data ? (
                  <Contributors rows={data.contributors[s.key]} section={s.section} header={s.title.slice(0, -1)} org={org} hrefFor={hrefFor} />
                ) : (
                  <Skeleton className="h-40" />
                )}
              </Card>
            ))}
          </div>
        </>
      )}
    </div>
  )
}

function Contributors({
  rows,
  section,
  header,
  org,
  hrefFor,
}: {
  rows: TContributor[]
  section: 'workflow' | 'step' | 'account' | 'model'
  header: string
  org: string
  hrefFor: (patch: Partial<TChangesUrlState>) => string
}) {
  const sorter = useSort(rows, {
    key: (r) => r.key,
    a: (r) => moneyKey(r.a_usd),
    b: (r) => moneyKey(r.b_usd),
    delta: (r) => moneyKey(r.delta_usd),
  })
  if (rows.length === 0) return <p className="text-sm text-slate-500">No {section} changed its spend.</p>
  const th = 'px-2 py-2 font-medium'
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid={`contributors-${section}`}>
        <caption className="sr-only">{header}s whose spend changed most</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="key" className={`${th} pl-0 text-left`}>
              {header}
            </SortTh>
            <SortTh sorter={sorter} k="a" className={`${th} text-right`}>
              A
            </SortTh>
            <SortTh sorter={sorter} k="b" className={`${th} text-right`}>
              B
            </SortTh>
            <SortTh sorter={sorter} k="delta" className={`${th} pr-0 text-right`}>
              Change
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr key={r.key} className="border-t border-slate-100" data-key={r.key}>
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                <ContributorName r={r} section={section} org={org} hrefFor={hrefFor} />
              </th>
              <td className="num px-2 text-right text-slate-600">{formatUsd(r.a_usd)}</td>
              <td className="num px-2 text-right text-slate-600">{formatUsd(r.b_usd)}</td>
              <td className={`num pl-2 text-right ${tone(r.delta_usd)}`} data-delta={r.delta_usd} title={formatUsd(r.delta_usd, { precise: true })}>
                {signed(r.delta_usd)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const link = 'text-brand-700 hover:underline'

function ContributorName({
  r,
  section,
  org,
  hrefFor,
}: {
  r: TContributor
  section: string
  org: string
  hrefFor: (patch: Partial<TChangesUrlState>) => string
}) {
  if (section === 'workflow') {
    const name = r.workflow_id || '(no workflow)'
    return (
      <div className="flex max-w-72 items-baseline gap-2">
        <Link className={`truncate ${link}`} href={hrefFor({ workflow_id: r.workflow_id ?? '', account_id: '' })} title={`What changed in ${name}`}>
          {name}
        </Link>
        <Link className="shrink-0 text-xs font-normal text-slate-500 hover:underline" href={`/${org}/workflows`} aria-label={`${name} on the Workflows page`}>
          Workflows
        </Link>
      </div>
    )
  }
  if (section === 'step') {
    return (
      <Link
        className={`block max-w-72 truncate ${link}`}
        href={hrefFor({ workflow_id: r.workflow_id ?? '', account_id: '' })}
        title={`What changed in ${r.workflow_id}`}
      >
        {r.key}
      </Link>
    )
  }
  if (section === 'account') {
    const name = r.account_id || '(no account)'
    if (!r.account_id) return <span className="italic text-slate-500">{name}</span>
    return (
      <div className="flex max-w-72 items-baseline gap-2">
        <Link className={`truncate ${link}`} href={hrefFor({ account_id: r.account_id, workflow_id: '' })} title={`What changed for ${name}`}>
          {name}
        </Link>
        <Link className="shrink-0 text-xs font-normal text-slate-500 hover:underline" href={`/${org}/accounts`} aria-label={`${name} on the Accounts page`}>
          Accounts
        </Link>
      </div>
    )
  }
  return (
    <span className="block max-w-72 truncate" title={r.key}>
      {r.key}
    </span>
  )
}

type TScope = 'org' | 'workflow' | 'account'

/** The two periods (date inputs), the scope and the filters; applied on submit so typing a date does not reload the page. */
function CompareForm({ org, view, onApply }: { org: string; view: TChangesView; onApply: (v: TChangesUrlState) => void }) {
  const [days, setDays] = useState(view.days)
  const [scope, setScope] = useState<TScope>(view.workflow_id ? 'workflow' : view.account_id ? 'account' : 'org')
  const [value, setValue] = useState(view.workflow_id || view.account_id)
  const [environment, setEnvironment] = useState(view.environment)
  const [trafficSource, setTrafficSource] = useState(view.traffic_source)
  const span = { from: view.a.from < view.b.from ? view.a.from : view.b.from, to: view.a.to > view.b.to ? view.a.to : view.b.to }
  const options = useMetrics(org, { ...span, group_by: scope === 'account' ? 'account_id' : 'workflow_id', granularity: 'none' })
  const key = scope === 'account' ? 'account_id' : 'workflow_id'
  const values = scope === 'org' ? [] : [...new Set((options.data?.rows ?? []).map((r) => r[key]).filter((x): x is string => !!x))].sort()
  if (value && scope !== 'org' && !values.includes(value)) values.unshift(value)
  const invalid = days.a_from > days.a_to ? 'a' : days.b_from > days.b_to ? 'b' : null

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (invalid || Object.values(days).some((d) => !d)) return
    onApply({
      days,
      workflow_id: scope === 'workflow' ? value : '',
      account_id: scope === 'account' ? value : '',
      environment,
      traffic_source: trafficSource,
    })
  }
  const dateField = (k: keyof typeof days, label: string) => (
    <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
      {label}
      <Input type="date" className="w-40" value={days[k]} required aria-label={label} onChange={(e) => setDays({ ...days, [k]: e.target.value })} />
    </label>
  )
  return (
    <form onSubmit={submit} aria-label="Compare" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-end gap-x-6 gap-y-3">
        <fieldset className="flex items-end gap-2">
          <legend className="mb-1 text-sm font-semibold text-slate-800">Period A (baseline)</legend>
          {dateField('a_from', 'A from')}
          {dateField('a_to', 'A to')}
        </fieldset>
        <fieldset className="flex items-end gap-2">
          <legend className="mb-1 text-sm font-semibold text-slate-800">Period B (compared)</legend>
          {dateField('b_from', 'B from')}
          {dateField('b_to', 'B to')}
        </fieldset>
        <fieldset className="flex items-end gap-2">
          <legend className="mb-1 text-sm font-semibold text-slate-800">Scope</legend>
          <label className="sr-only" htmlFor="c-scope">
            Scope
          </label>
          <Select
            id="c-scope"
            value={scope}
            onChange={(e) => {
              setScope(e.target.value as TScope)
              setValue('')
            }}
          >
            <option value="org">Organization</option>
            <option value="workflow">A workflow</option>
            <option value="account">An account</option>
          </Select>
          {scope !== 'org' && (
            <>
              <label className="sr-only" htmlFor="c-value">
                {scope === 'workflow' ? 'Workflow' : 'Account'}
              </label>
              <Select id="c-value" value={value} required onChange={(e) => setValue(e.target.value)}>
                <option value="" disabled>
                  {options.isLoading
                    ? 'Loading…'
                    : options.error
                      ? `Could not load the list: ${options.error.message}`
                      : `Pick ${scope === 'workflow' ? 'a workflow' : 'an account'}`}
                </option>
                {values.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </Select>
            </>
          )}
        </fieldset>
        <div className="flex items-end gap-2">
          <ScopeSelects
            idPrefix="c"
            environment={environment}
            trafficSource={trafficSource}
            onEnvironment={setEnvironment}
            onTrafficSource={setTrafficSource}
          />
        </div>
        <Button type="submit" disabled={!!invalid}>
          Compare
        </Button>
      </div>
      {invalid && (
        <p className="mt-2 text-xs text-red-700" role="alert">
          Period {invalid.toUpperCase()}: the first day must not be after the last day.
        </p>
      )}
      <p className="mt-2 text-xs text-slate-500">Days are UTC and inclusive.</p>
    </form>
  )
}
