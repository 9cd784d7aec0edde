'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo, useState } from 'react'
import { Select } from '@/components/ui'
import { RangePicker } from '@/components/metrics/range-picker'
import { filtersQuery, parseFilters, type TBreakdownFilters } from '@/lib/metrics/breakdown'
import { rangeLabel, rangePeriods, type TPeriod, type TPeriods } from '@/lib/metrics/range'
import { formatDate, formatDateTime } from '@/lib/format'

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
  // fixed within the hour ("to date" periods end at the next hour), so the query keys stay stable
  const periods = useMemo(() => rangePeriods(filters.range), [filters.range])
  return { filters, update, periods, filtered: !!filters.environment || !!filters.traffic_source }
}

export function FilterBar({ filters, update }: { filters: TBreakdownFilters; update: (patch: Partial<TBreakdownFilters>) => void }) {
  return (
    <form className="flex flex-wrap items-center gap-2" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <RangePicker
        idPrefix="f"
        range={filters.range}
        onRange={(range) => update({ range })}
        compare={filters.compare}
        onCompare={(compare) => update({ compare })}
      />
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

/** "1 Mar 2026 – 30 Mar 2026, 15:00 UTC" for a period reaching into today (its end is exclusive: the current hour is included), "1 Nov 2026 – 30 Nov 2026" for past days. */
export function periodLabel(p: TPeriod): string {
  const to = new Date(p.to)
  const end = to.getTime() % 86_400_000 === 0 ? formatDate(new Date(to.getTime() - 1), 'UTC') : formatDateTime(to, 'UTC')
  return `${formatDate(p.from, 'UTC')} – ${end}`
}

/** The period shown and, when comparing, the one it is compared with. */
export function PeriodsNote({ periods, range, compare = true }: { periods: TPeriods; range?: string; compare?: boolean }) {
  return (
    <p className="text-sm text-slate-600" data-testid="periods">
      {range && <span className="text-slate-800">{rangeLabel(range)}: </span>}
      {/* a period "to date" ends at the next hour, read from each side's clock: a page rendered on the server just before
          the hour and hydrated just after it says the hour before (the same calls: none are later than now), not an error */}
      <span className="font-medium text-slate-800" suppressHydrationWarning>
        {periodLabel(periods.current)}
      </span>
      {compare ? (
        <>
          , compared with the previous period,{' '}
          <span data-testid="previous-period" suppressHydrationWarning>
            {periodLabel(periods.previous)}
          </span>
          .
        </>
      ) : (
        '.'
      )}
    </p>
  )
}
