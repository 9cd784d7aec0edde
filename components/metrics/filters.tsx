'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo, useState } from 'react'
import { Select } from '@/components/ui'
import { filtersQuery, parseFilters, periods as periodsOf, type TBreakdownFilters, type TPeriod } from '@/lib/metrics/breakdown'

export const RANGE_LABELS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
] as const

/**
 * The range / environment / traffic-source filters, kept in the URL, and the
 * current and previous periods they select. The URL is the source of truth; the
 * local copy makes a select answer at once instead of waiting for the
 * navigation, and follows the URL when it changes.
 */
export function useUrlFilters() {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const urlFilters = useMemo(() => parseFilters(params), [params])
  const urlKey = filtersQuery(urlFilters)
  const [filters, setFilters] = useState(urlFilters)
  const [seenKey, setSeenKey] = useState(urlKey)
  if (seenKey !== urlKey) {
    setSeenKey(urlKey)
    setFilters(urlFilters)
  }
  const update = (patch: Partial<TBreakdownFilters>) => {
    const next = { ...filters, ...patch }
    setFilters(next)
    router.replace(`${pathname}?${filtersQuery(next)}`, { scroll: false })
  }
  const periods = useMemo(() => periodsOf(filters.days), [filters.days])
  return { filters, update, periods, filtered: !!filters.environment || !!filters.traffic_source }
}

export function FilterBar({ filters, update }: { filters: TBreakdownFilters; update: (patch: Partial<TBreakdownFilters>) => void }) {
  return (
    <form className="flex flex-wrap items-center gap-2" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label className="sr-only" htmlFor="f-range">
        Date range
      </label>
      <Select id="f-range" value={filters.days} onChange={(e) => update({ days: Number(e.target.value) as TBreakdownFilters['days'] })}>
        {RANGE_LABELS.map((r) => (
          <option key={r.days} value={r.days}>
            {r.label}
          </option>
        ))}
      </Select>
      <ScopeSelects
        idPrefix="f"
        environment={filters.environment}
        trafficSource={filters.traffic_source}
        onEnvironment={(environment) => update({ environment })}
        onTrafficSource={(traffic_source) => update({ traffic_source })}
      />
    </form>
  )
}

/** The environment and traffic-source selects every analytics view filters by (labelled for screen readers). */
export function ScopeSelects({
  idPrefix,
  environment,
  trafficSource,
  onEnvironment,
  onTrafficSource,
}: {
  idPrefix: string
  environment: string
  trafficSource: string
  onEnvironment: (v: string) => void
  onTrafficSource: (v: string) => void
}) {
  return (
    <>
      <label className="sr-only" htmlFor={`${idPrefix}-env`}>
        Environment
      </label>
      <Select id={`${idPrefix}-env`} value={environment} onChange={(e) => onEnvironment(e.target.value)}>
        <option value="">All environments</option>
        <option value="production">production</option>
        <option value="staging">staging</option>
        <option value="development">development</option>
      </Select>
      <label className="sr-only" htmlFor={`${idPrefix}-traffic`}>
        Traffic source
      </label>
      <Select id={`${idPrefix}-traffic`} value={trafficSource} onChange={(e) => onTrafficSource(e.target.value)}>
        <option value="">All traffic sources</option>
        <option value="production">production traffic</option>
        <option value="eval">eval</option>
        <option value="replay">replay</option>
        <option value="ops">ops</option>
      </Select>
    </>
  )
}

const DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' })
const DATE_TIME = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** "Mar 1, 2026 – Mar 30, 15:00 UTC" (the end is exclusive: the current hour is included). */
function periodLabel(p: TPeriod): string {
  return `${DATE.format(new Date(p.from))} – ${DATE_TIME.format(new Date(p.to))} UTC`
}

export function PeriodsNote({ periods }: { periods: { current: TPeriod; previous: TPeriod } }) {
  return (
    <p className="text-sm text-slate-600" data-testid="periods">
      <span className="font-medium text-slate-800">{periodLabel(periods.current)}</span>, compared with the previous period of the same length,{' '}
      {periodLabel(periods.previous)}.
    </p>
  )
}
