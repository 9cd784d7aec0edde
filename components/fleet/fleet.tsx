'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import { moneyKey } from '@/lib/table/sort'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { GpuHourPrice } from '@/components/ui/usd'
import { useState, type FormEvent } from 'react'
import { useRouter, useSearchParams } from 'next/navigation'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Kpi, Select, Skeleton } from '@/components/ui'
import { TrendChart } from '@/components/charts/trend-chart'
import { PoolForm } from '@/components/fleet/pool-form'
import { FleetTabs } from '@/components/fleet/tabs'
import { useFleetSummary, usePools, useUploadCsv } from '@/components/fleet/queries'
import { SelfHostingCard } from '@/components/fleet/self-hosting'
import { rolesSentence } from '@/lib/auth/permissions'
import { ROLE_LABEL, utilizationChart } from '@/lib/gpu/view'
import { CHART_COLORS, POOL_ROLE_COLORS } from '@/components/charts/theme'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import type * as gpuApi from '@/lib/gpu/api'
import type { TResponseOf } from '@/lib/http/endpoint'

type TFleetSummary = TResponseOf<typeof gpuApi.fleetSummary>
type TPoolView = TResponseOf<typeof gpuApi.getPool>['pool']
type TSamplesAnswer = TResponseOf<typeof gpuApi.ingestSamples>

// The engineer's and finance's question about self-hosted capacity: what do
// the GPUs cost per role, how busy are they, what do we pay for idle ones, and
// which pools are bigger than their load needs?

const PERIODS = [7, 30, 90] as const
const pct = (v: number | null) => (v === null ? '—' : formatPercent(v, 0))

export function Fleet({ org, canWrite }: { org: string; canWrite: boolean }) {
  const params = useSearchParams()
  const router = useRouter()
  const days = PERIODS.find((p) => String(p) === params?.get('days')) ?? 30
  const summary = useFleetSummary(org, days)
  const pools = usePools(org)
  const [editing, setEditing] = useState<TPoolView | 'new' | null>(null)
  const s = summary.data
  const empty = s && s.pools.length === 0

  return (
    <div className="space-y-6">
      <FleetTabs org={org} current="fleet" />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">GPU fleet</h1>
          <p className="text-sm text-slate-600">
            Self-hosted capacity by role, what it costs, how busy it is and what idle GPUs cost. <ZoneNote />
          </p>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor="fleet-days" className="text-sm text-slate-600">
            Period
          </label>
          <Select id="fleet-days" value={String(days)} onChange={(e) => router.replace(`/${org}/fleet?days=${e.target.value}`)}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                Last {p} days
              </option>
            ))}
          </Select>
          {canWrite && !empty && <Button onClick={() => setEditing('new')}>New pool</Button>}
        </div>
      </div>
      {summary.error && <Alert>Could not load the fleet: {summary.error.message}</Alert>}

      {editing && canWrite && (
        <Card
          title={editing === 'new' ? 'New GPU pool' : `Edit ${editing.name}`}
          subtitle="Self-hosted events that name this pool in gpu_pool are priced at its GPU-hour price."
        >
          <PoolForm org={org} pool={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        </Card>
      )}

      {empty ? (
        <Card title="No GPU pools yet">
          <div className="space-y-2 text-sm text-slate-700">
            <p>Describe your self-hosted capacity to see its cost per role, its utilization and what idle GPUs cost:</p>
            <ol className="list-decimal space-y-1 pl-5">
              <li>
                Create a pool for each group of GPUs (production, staging, canary, reserve…) with its size and price: hourly, or a purchase amortized over
                months plus power and hosting.
              </li>
              <li>
                Send utilization: upload <code>nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv</code> output below, or{' '}
                <code>POST /api/v1/gpu/samples</code>.
              </li>
              <li>
                Report self-hosted calls with <code>gpu_seconds</code> and <code>gpu_pool</code> on <code>POST /api/v1/events</code>: they are priced from the
                pool.
              </li>
            </ol>
            {canWrite ? (
              editing ? null : (
                <Button onClick={() => setEditing('new')}>Create the first pool</Button>
              )
            ) : (
              <p className="text-slate-500">Ask a member with the {rolesSentence('fleet.write')} role to create the pools.</p>
            )}
          </div>
        </Card>
      ) : (
        <>
          <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-5">
            <Kpi
              label="Fleet run-rate"
              testId="kpi-monthly"
              value={s ? `${formatUsd(s.totals.monthly_usd)}/mo` : null}
              hint={s ? `${formatCount(s.totals.gpus)} GPUs in ${s.totals.pools} pools, at today's size and price (730 h/month)` : undefined}
            />
            <Kpi
              label={`Paid, last ${days} days`}
              testId="kpi-paid"
              value={s ? formatUsd(s.totals.period_cost_usd) : null}
              hint="GPU-hours × price, as pools grew and shrank"
            />
            <Kpi
              label={`Idle cost, last ${days} days`}
              testId="kpi-idle"
              value={s ? formatUsd(s.totals.idle_cost_usd) : null}
              hint={
                s
                  ? `${Number(s.totals.period_cost_usd) > 0 ? formatPercent(Number(s.totals.idle_cost_usd) / Number(s.totals.period_cost_usd), 0) : '—'} of paid: GPU-hours × (1 − utilization)`
                  : undefined
              }
              warn={!!s && Number(s.totals.idle_cost_usd) > 0.5 * Number(s.totals.period_cost_usd)}
            />
            <Kpi
              label="Mean utilization"
              term="utilization"
              testId="kpi-util"
              value={s ? pct(s.totals.avg_utilization) : null}
              hint="over measured hours, weighted by cost"
            />
            <Kpi
              label="Not measured"
              testId="kpi-unmeasured"
              value={s ? formatUsd(s.totals.unmeasured_cost_usd) : null}
              hint="paid in hours without utilization samples (not counted as idle)"
            />
          </section>

          <Card title="Capacity and cost per role" subtitle="Today's GPUs and monthly run-rate per role; the period's paid and idle cost beside them.">
            {s ? <RoleSplit s={s} /> : <Skeleton className="h-32" />}
          </Card>

          <Card title="Utilization per pool" subtitle={`Daily mean of hourly GPU utilization, last ${days} days. A gap is a day without samples.`}>
            {s ? <UtilizationChart s={s} /> : <Skeleton className="h-64" />}
          </Card>

          <Card title="Right-sizing" subtitle={s?.right_sizing.rule}>
            {s ? (
              s.hints.length ? (
                <>
                  <p className="mb-3 text-sm text-slate-800" data-testid="hints-total">
                    Together: <strong data-usd={s.right_sizing.saving_per_month_usd}>{formatUsd(s.right_sizing.saving_per_month_usd)}/month</strong> if every
                    hint below is applied ({s.hints.length} {s.hints.length === 1 ? 'pool' : 'pools'}, each sized on its utilization of the last{' '}
                    {s.right_sizing.window_days} days; the figures above cover the last {days} days).
                  </p>
                  <ul className="space-y-2 text-sm" data-testid="hints">
                    {s.hints.map((h) => (
                      <li key={h.pool} data-pool={h.pool} className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-950">
                        {h.text}{' '}
                        <span className="whitespace-nowrap font-medium" data-usd={h.saving_per_month_usd}>
                          ({h.window_days}-day window)
                        </span>
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                <p className="text-sm text-slate-600">
                  No pool is bigger than its p95 load needs (pools need at least 7 days of samples in the last 14 to be sized).
                </p>
              )
            ) : (
              <Skeleton className="h-16" />
            )}
          </Card>

          <SelfHostingCard org={org} days={days} />

          <Card title="Pools" subtitle="Price per GPU-hour is what self-hosted events on the pool are priced at.">
            {canWrite && pools.error && <Alert>Could not load the pools' settings, so they cannot be edited now: {pools.error.message}</Alert>}
            {s ? <PoolsTable s={s} pools={pools.data?.pools ?? []} canWrite={canWrite} onEdit={setEditing} /> : <Skeleton className="h-40" />}
          </Card>
        </>
      )}

      {canWrite && s && s.pools.length > 0 && <CsvUpload org={org} pools={s.pools.map((p) => p.name)} />}
    </div>
  )
}

function RoleSplit({ s }: { s: TFleetSummary }) {
  const sorter = useSort(s.roles, {
    role: (r) => ROLE_LABEL[r.role] ?? r.role,
    pools: (r) => r.pools,
    gpus: (r) => r.gpus,
    monthly: (r) => moneyKey(r.monthly_usd),
    share: (r) => r.share,
    paid: (r) => moneyKey(r.period_cost_usd),
    idle: (r) => moneyKey(r.idle_cost_usd),
  })
  return (
    <div className="space-y-4">
      <div
        className="flex h-6 overflow-hidden rounded"
        role="img"
        aria-label={`Monthly run-rate by role: ${s.roles.map((r) => `${ROLE_LABEL[r.role] ?? r.role} ${formatPercent(r.share, 0)}`).join(', ')}`}
      >
        {s.roles
          .filter((r) => r.share > 0)
          .map((r) => (
            <div
              key={r.role}
              style={{ width: `${r.share * 100}%`, background: POOL_ROLE_COLORS[r.role] ?? CHART_COLORS.neutral }}
              title={`${ROLE_LABEL[r.role] ?? r.role}: ${formatPercent(r.share, 0)}`}
            />
          ))}
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="roles">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="role" className="py-1.5 text-left font-medium">
                Role
              </SortTh>
              <SortTh sorter={sorter} k="pools" className="text-right font-medium">
                Pools
              </SortTh>
              <SortTh sorter={sorter} k="gpus" className="text-right font-medium">
                GPUs
              </SortTh>
              <SortTh sorter={sorter} k="monthly" className="text-right font-medium">
                Run-rate / month
              </SortTh>
              <SortTh sorter={sorter} k="share" className="text-right font-medium">
                Share
              </SortTh>
              <SortTh sorter={sorter} k="paid" className="text-right font-medium">
                Paid, last {s.period.days} days
              </SortTh>
              <SortTh sorter={sorter} k="idle" className="text-right font-medium">
                Idle, last {s.period.days} days
              </SortTh>
            </tr>
          </thead>
          <tbody>
            {sorter.rows.map((r) => (
              <tr key={r.role} className="border-t border-slate-100" data-role={r.role}>
                <td className="py-1.5">
                  <span className="mr-2 inline-block h-2.5 w-2.5 rounded-sm" style={{ background: POOL_ROLE_COLORS[r.role] ?? CHART_COLORS.neutral }} />
                  {ROLE_LABEL[r.role] ?? r.role}
                </td>
                <td className="num text-right">{r.pools}</td>
                <td className="num text-right">{formatCount(r.gpus)}</td>
                <td className="num text-right" data-usd={r.monthly_usd}>
                  {formatUsd(r.monthly_usd)}
                </td>
                <td className="num text-right">{formatPercent(r.share, 0)}</td>
                <td className="num text-right">{formatUsd(r.period_cost_usd)}</td>
                <td className="num text-right">{formatUsd(r.idle_cost_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

function UtilizationChart({ s }: { s: TFleetSummary }) {
  const c = utilizationChart(s)
  if (c.lines.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No utilization samples in this period. Upload nvidia-smi output below or send them to <code>POST /api/v1/gpu/samples</code>.
      </p>
    )
  return (
    <TrendChart
      data={c.rows as { day: string }[]}
      lines={c.lines}
      label="Daily mean GPU utilization per pool, percent"
      format={(v) => formatPercent(v / 100, Number.isInteger(v) ? 0 : 1)}
      height="h-64"
    />
  )
}

function PoolsTable({ s, pools, canWrite, onEdit }: { s: TFleetSummary; pools: TPoolView[]; canWrite: boolean; onEdit: (p: TPoolView) => void }) {
  const sorter = useSort(s.pools, {
    pool: (p) => p.name,
    role: (p) => ROLE_LABEL[p.role] ?? p.role,
    gpus: (p) => p.gpu_count,
    price: (p) => moneyKey(p.gpu_hour_usd),
    monthly: (p) => moneyKey(p.monthly_usd),
    paid: (p) => moneyKey(p.period_cost_usd),
    idle: (p) => moneyKey(p.idle_cost_usd),
    util: (p) => p.avg_utilization,
    p95: (p) => p.p95_utilization,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="pools">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="pool" className="py-1.5 text-left font-medium">
              Pool
            </SortTh>
            <SortTh sorter={sorter} k="role" className="text-left font-medium">
              Role
            </SortTh>
            <SortTh sorter={sorter} k="gpus" className="text-right font-medium">
              GPUs
            </SortTh>
            <SortTh sorter={sorter} k="price" className="text-right font-medium">
              $ / GPU-hour
            </SortTh>
            <SortTh sorter={sorter} k="monthly" className="text-right font-medium">
              Run-rate / month
            </SortTh>
            <SortTh sorter={sorter} k="paid" className="text-right font-medium">
              Paid, last {s.period.days} days
            </SortTh>
            <SortTh sorter={sorter} k="idle" className="text-right font-medium">
              Idle, last {s.period.days} days
            </SortTh>
            <SortTh sorter={sorter} k="util" term="utilization" className="text-right font-medium">
              Mean util., {s.period.days} days
            </SortTh>
            <SortTh sorter={sorter} k="p95" className="text-right font-medium">
              p95 hourly, {s.period.days} days
            </SortTh>
            <th className="text-left font-medium">Serves</th>
            {canWrite && <th className="sr-only">Edit</th>}
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((p) => {
            const full = pools.find((x) => x.id === p.id)
            return (
              <tr key={p.id} id={`pool-${p.name}`} className="border-t border-slate-100 target:bg-amber-50" data-pool={p.name}>
                <td className="py-1.5 font-medium">
                  {p.name}
                  <div className="text-xs font-normal text-slate-500">
                    {p.gpu_type}
                    {p.region ? ` · ${p.region}` : ''}
                  </div>
                </td>
                <td>{ROLE_LABEL[p.role] ?? p.role}</td>
                <td className="num text-right">{formatCount(p.gpu_count)}</td>
                <td className="num text-right">
                  <GpuHourPrice value={p.gpu_hour_usd} />
                </td>
                <td className="num text-right" data-usd={p.monthly_usd}>
                  {formatUsd(p.monthly_usd)}
                </td>
                <td className="num text-right" data-usd={p.period_cost_usd}>
                  {formatUsd(p.period_cost_usd)}
                </td>
                <td className="num text-right" data-usd={p.idle_cost_usd}>
                  {formatUsd(p.idle_cost_usd)}
                </td>
                <td className="num text-right">{pct(p.avg_utilization)}</td>
                <td className="num text-right">{pct(p.p95_utilization)}</td>
                <td className="text-slate-600">{p.serves.join(', ') || '—'}</td>
                {canWrite && (
                  <td className="text-right">
                    {full && (
                      <Button variant="secondary" className="px-2 py-1" onClick={() => onEdit(full)} aria-label={`Edit ${p.name}`}>
                        Edit
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function CsvUpload({ org, pools }: { org: string; pools: string[] }) {
  const upload = useUploadCsv(org)
  const [pool, setPool] = useState(pools[0] ?? '')
  const [text, setText] = useState('')
  const [utcOffset, setUtcOffset] = useState('')
  const [result, setResult] = useState<TSamplesAnswer | null>(null)
  const err = upload.error instanceof ApiError ? upload.error : null

  async function onFile(file: File | undefined) {
    if (file) setText(await file.text())
  }
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    setResult(null)
    upload.mutate({ pool, text, utcOffset: utcOffset.trim() }, { onSuccess: setResult })
  }
  return (
    <Card
      title="Upload nvidia-smi samples"
      subtitle="Output of nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (with its header), for one pool. Samples already stored are counted once."
    >
      <form onSubmit={onSubmit} className="space-y-3" aria-label="Upload nvidia-smi samples" noValidate>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Pool" htmlFor="csv-pool">
            <Select id="csv-pool" value={pool} onChange={(e) => setPool(e.target.value)} className="block w-full py-2">
              {pools.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="CSV file" htmlFor="csv-file">
            <input
              id="csv-file"
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              onChange={(e) => onFile(e.target.files?.[0])}
              className="block w-full text-sm"
            />
          </Field>
          <Field label="Clock's UTC offset" htmlFor="csv-offset" hint="nvidia-smi prints local time; empty: UTC">
            <Input id="csv-offset" value={utcOffset} onChange={(e) => setUtcOffset(e.target.value)} placeholder="+02:00" autoComplete="off" />
          </Field>
        </div>
        <Field label="…or paste it" htmlFor="csv-text">
          <textarea
            id="csv-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={5}
            spellCheck={false}
            placeholder={'timestamp, index, utilization.gpu [%], memory.used [MiB]\n2026/11/20 10:00:00.123, 0, 87 %, 40536 MiB'}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs shadow-sm"
          />
        </Field>
        <Button type="submit" disabled={upload.isPending || !text.trim() || !pool}>
          {upload.isPending ? 'Uploading…' : 'Upload samples'}
        </Button>
        {err && (
          <Alert>
            {err.message}
            {err.lines.length ? `: ${err.lines.join('; ')}` : ''}
          </Alert>
        )}
        {result && (
          <Alert tone={result.rejected.length ? 'warning' : 'success'}>
            <span data-testid="csv-result">
              {formatCount(result.accepted)} samples stored, {formatCount(result.duplicates)} already there
              {result.rejected.length ? `, ${result.rejected.length} lines rejected:` : '.'}
            </span>
            {result.rejected.length > 0 && (
              <ul className="mt-1 list-disc pl-5">
                {result.rejected.slice(0, 20).map((r, i) => (
                  <li key={i}>
                    {r.line ? `Line ${r.line}: ` : ''}
                    {r.errors.join('; ')}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
      </form>
    </Card>
  )
}
