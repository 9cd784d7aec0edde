'use client'
import { useState } from 'react'
import { Button, Input, Select } from '@/components/ui'
import { customRange, isPreset, MAX_CUSTOM_DAYS, parseCustomRange, RANGE_PRESETS, rangePeriods, periodDayBounds } from '@/lib/metrics/range'

const CUSTOM = 'custom'
const todayUtc = () => new Date().toISOString().slice(0, 10)

/**
 * The date range: the presets, and a custom range of UTC days chosen with the
 * browser's date fields (typed or picked on their calendar; Enter applies).
 * `compare` adds the "compare with the previous period" switch.
 */
export function RangePicker({
  idPrefix,
  range,
  onRange,
  compare,
  onCompare,
}: {
  idPrefix: string
  range: string
  onRange: (range: string) => void
  compare?: boolean
  onCompare?: (compare: boolean) => void
}) {
  const custom = !isPreset(range)
  const [editing, setEditing] = useState(false)
  const start = periodDayBounds(rangePeriods(range).current)
  const [from, setFrom] = useState(start.from)
  const [to, setTo] = useState(start.to)
  const [error, setError] = useState<string | null>(null)
  const showFields = custom || editing

  const apply = () => {
    if (!from || !to) return setError('Choose both days')
    const r = parseCustomRange(customRange(from, to))
    if (!r) return setError(from > to ? 'The first day is after the last' : `At most ${MAX_CUSTOM_DAYS} days`)
    setError(null)
    setEditing(false)
    onRange(customRange(from, to))
  }
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault()
      apply()
    }
  }

  return (
    <>
      <label className="sr-only" htmlFor={`${idPrefix}-range`}>
        Date range
      </label>
      <Select
        id={`${idPrefix}-range`}
        value={editing || custom ? CUSTOM : range}
        onChange={(e) => {
          const v = e.target.value
          if (v === CUSTOM) {
            const b = periodDayBounds(rangePeriods(range).current)
            setFrom(b.from)
            setTo(b.to)
            setEditing(true)
          } else {
            setEditing(false)
            setError(null)
            onRange(v)
          }
        }}
      >
        {RANGE_PRESETS.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
        <option value={CUSTOM}>Custom range…</option>
      </Select>
      {showFields && (
        <fieldset className="flex flex-wrap items-center gap-1.5" aria-label="Custom range (UTC days)" data-testid="custom-range">
          <label className="sr-only" htmlFor={`${idPrefix}-from`}>
            First day (UTC)
          </label>
          <Input
            id={`${idPrefix}-from`}
            type="date"
            className="w-38 py-1.5"
            value={from}
            max={todayUtc()}
            invalid={!!error}
            onChange={(e) => setFrom(e.target.value)}
            onKeyDown={onKey}
          />
          <span aria-hidden className="text-slate-500">
            –
          </span>
          <label className="sr-only" htmlFor={`${idPrefix}-to`}>
            Last day (UTC)
          </label>
          <Input
            id={`${idPrefix}-to`}
            type="date"
            className="w-38 py-1.5"
            value={to}
            max={todayUtc()}
            invalid={!!error}
            onChange={(e) => setTo(e.target.value)}
            onKeyDown={onKey}
          />
          <Button type="button" variant="secondary" className="py-1.5" onClick={apply}>
            Apply
          </Button>
          {error && (
            <span role="alert" id={`${idPrefix}-from-error`} className="text-xs text-red-700">
              {error}
            </span>
          )}
        </fieldset>
      )}
      {onCompare && (
        <label className="flex items-center gap-1.5 text-sm text-slate-700">
          <input
            type="checkbox"
            id={`${idPrefix}-compare`}
            checked={!!compare}
            onChange={(e) => onCompare(e.target.checked)}
            className="rounded border-slate-300"
          />
          Compare with the previous period
        </label>
      )}
    </>
  )
}
