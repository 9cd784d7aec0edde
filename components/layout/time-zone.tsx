'use client'
import { createContext, type ReactNode, useContext } from 'react'
import { DEFAULT_TIME_ZONE, formatDate, formatDateTime, formatTime } from '@/lib/format'

// The organization's time zone (its settings page; UTC by default), for every
// date and time a page shows: one format (lib/format.ts), one zone.
const TimeZoneContext = createContext<string>(DEFAULT_TIME_ZONE)

export function TimeZoneProvider({ timeZone, children }: { timeZone: string; children: ReactNode }) {
  return <TimeZoneContext.Provider value={timeZone}>{children}</TimeZoneContext.Provider>
}

export const useTimeZone = () => useContext(TimeZoneContext)

/** A moment as every page shows it: "6 Dec 2026, 03:35 UTC" in the organization's zone; the exact ISO time on hover. */
export function When({ t, kind = 'dateTime' }: { t: string | null | undefined; kind?: 'dateTime' | 'date' | 'time' }) {
  const tz = useTimeZone()
  if (!t) return <>—</>
  const text = kind === 'date' ? formatDate(t, tz) : kind === 'time' ? formatTime(t, tz) : formatDateTime(t, tz)
  return (
    <time dateTime={t} title={t}>
      {text}
    </time>
  )
}

/** The formatters bound to the organization's zone, for text that is not an element (a sentence, a title). */
export function useDates() {
  const tz = useTimeZone()
  return {
    timeZone: tz,
    dateTime: (t: string | number | Date) => formatDateTime(t, tz),
    date: (t: string | number | Date) => formatDate(t, tz),
    time: (t: string | number | Date) => formatTime(t, tz),
  }
}

/**
 * What a page's days and ranges are counted in: UTC days (the rollups', the range picker's and every daily chart's),
 * whatever the organization's zone; when that zone is not UTC, the page says so and that its times are shown in it.
 */
export function ZoneNote() {
  const tz = useTimeZone()
  return <>{tz === DEFAULT_TIME_ZONE ? 'Times are UTC.' : `Days and ranges are UTC days; times are shown in ${tz}.`}</>
}
