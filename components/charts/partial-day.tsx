'use client'
import type { ReactNode } from 'react'
import { ReferenceArea, ReferenceLine } from 'recharts'
import { PARTIAL_DAY_AREA, PARTIAL_DAY_LABEL, PARTIAL_DAY_LINE } from '@/components/charts/theme'

// Today's UTC day is still filling: every daily chart marks it, the same way,
// with these two pieces (issue 21 "today's partial day is marked on every daily
// chart"). The chart finds the day with partialDayIn (theme.ts).

/**
 * The chart's box: an image for screen readers whose name says the last day
 * is partial, and `data-partial-day` (the day marked) for tests and styles.
 */
export function ChartFrame({
  label,
  today,
  className = 'h-72',
  partialText = `the last day, ${PARTIAL_DAY_LABEL}`,
  children,
  ...data
}: {
  label: string
  /** the partial day's x value, or null */
  today: string | null
  className?: string
  /** how the label names the partial day */
  partialText?: string
  children: ReactNode
} & { [k: `data-${string}`]: string | number | undefined }) {
  return (
    <div className={className} role="img" aria-label={today ? `${label}; ${partialText}` : label} data-partial-day={today ?? undefined} {...data}>
      {children}
    </div>
  )
}

/**
 * The mark inside the chart: a pale band over today's bar (bar charts) or a
 * dashed line with its label (line charts). Nothing when the chart ends
 * before today. A recharts child: rendered inside the chart element.
 */
export function PartialDayMark({ day, kind, yAxisId }: { day: string | null; kind: 'band' | 'line'; yAxisId?: string }) {
  if (!day) return null
  const axis = yAxisId === undefined ? {} : { yAxisId }
  return kind === 'band' ? <ReferenceArea x1={day} x2={day} {...axis} {...PARTIAL_DAY_AREA} /> : <ReferenceLine x={day} {...axis} {...PARTIAL_DAY_LINE} />
}
