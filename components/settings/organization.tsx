'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useMemo, useState } from 'react'
import { ApiError, callApi } from '@/components/api'
import { useDates } from '@/components/layout/time-zone'
import { fieldError } from '@/components/settings/members-queries'
import { Alert, Button, Card, Field, Input, Select, Skeleton } from '@/components/ui'
import * as api from '@/lib/orgs/api'
import { timeZones } from '@/lib/format'
import { MAX_RAW_EVENT_RETENTION_DAYS as MAX_RETENTION_DAYS } from '@/lib/orgs/schema'

/**
 * The organization's time zone: every page shows dates and times in it, in one
 * format ("6 Dec 2026, 03:35 UTC"). Admins change it; others see it. Chart days
 * and date ranges stay UTC days, like the rollups.
 */
export function OrganizationSettings({ org, canEdit }: { org: string; canEdit: boolean }) {
  const router = useRouter()
  const dates = useDates()
  const [tz, setTz] = useState(dates.timeZone)
  // the saved zone is always an option (a browser may spell a zone differently: Asia/Calcutta for Asia/Kolkata)
  const zones = useMemo(() => {
    const all = timeZones()
    return all.includes(dates.timeZone) ? all : [dates.timeZone, ...all]
  }, [dates.timeZone])
  // the current time is read after hydration (the server's minute may differ)
  const [now, setNow] = useState<Date | null>(null)
  useEffect(() => setNow(new Date()), [])
  const save = useMutation({
    mutationFn: (time_zone: string) => callApi(api.patchOrganization, { org, body: { time_zone } }),
    // the zone comes from the server with the page: fetch it again
    onSuccess: () => router.refresh(),
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate(tz)
  }
  return (
    <Card title="Organization" subtitle="Dates and times on every page are shown in this time zone. Chart days and date ranges are UTC days.">
      <form className="flex flex-wrap items-end gap-3" onSubmit={onSubmit} aria-label="Organization time zone">
        <div>
          <label htmlFor="org-time-zone" className="mb-1 block text-sm font-medium text-slate-700">
            Time zone
          </label>
          <Select id="org-time-zone" value={tz} onChange={(e) => setTz(e.target.value)} disabled={!canEdit}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </Select>
        </div>
        {canEdit && (
          <Button type="submit" disabled={save.isPending || tz === dates.timeZone}>
            {save.isPending ? 'Saving…' : 'Save time zone'}
          </Button>
        )}
        <p className="text-sm text-slate-600" data-testid="time-zone-example">
          {now && <>Now: {dates.dateTime(now)}</>}
        </p>
      </form>
      {!canEdit && <p className="mt-2 text-xs text-slate-500">Only admins change the time zone.</p>}
      {save.error && <Alert>{save.error instanceof ApiError ? save.error.message : 'Could not save the time zone'}</Alert>}
    </Card>
  )
}

/** The retention as a sentence: "90 days" or the default (as long as ingest accepts events). */
function retentionText(days: number | null): string {
  return days === null ? `all of them (events are accepted up to ${MAX_RETENTION_DAYS} days old)` : `${days} day${days === 1 ? '' : 's'}`
}

/** The input's text as the API's value: empty is null (keep all), a number is sent as typed (the API validates it). */
function parseRetention(text: string): { days: number | null } | { error: string } {
  const t = text.trim()
  if (t === '') return { days: null }
  if (!/^-?\d+(\.\d+)?$/.test(t)) return { error: `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or empty` }
  return { days: Number(t) }
}

/**
 * How many days of raw events the organization keeps (docs/events-partitioning.md): older ones are deleted by the
 * workers' maintenance pass and refused at ingest; rollups are kept. Admins change it; others read it.
 */
export function RawEventRetention({ org, canEdit }: { org: string; canEdit: boolean }) {
  const qc = useQueryClient()
  const q = useQuery({ queryKey: ['organization', org], queryFn: ({ signal }) => callApi(api.getOrganization, { org, signal }) })
  const current = q.data?.organization.raw_event_retention_days
  const [text, setText] = useState('')
  const [local, setLocal] = useState<string | null>(null)
  useEffect(() => {
    if (current !== undefined) setText(current === null ? '' : String(current))
  }, [current])
  const save = useMutation({
    mutationFn: (days: number | null) => callApi(api.patchOrganization, { org, body: { raw_event_retention_days: days } }),
    onSuccess: (r) => qc.setQueryData(['organization', org], r),
  })
  const parsed = parseRetention(text)
  const next = 'days' in parsed ? parsed.days : undefined
  const shorter = next !== undefined && next !== null && next > 0 && (current === null || (current !== undefined && next < current))
  const error = local ?? fieldError(save.error)('raw_event_retention_days')
  const other =
    save.error && !error ? (save.error instanceof ApiError ? [save.error.message, ...save.error.lines].join(' ') : 'Could not save the retention') : null
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    setLocal('error' in parsed ? parsed.error : null)
    save.reset()
    if ('days' in parsed) save.mutate(parsed.days)
  }
  return (
    <Card title="Raw-event retention" subtitle="How long every call's own row is kept.">
      <p className="mb-3 text-sm text-slate-700" data-testid="retention-explanation">
        Kept for good: the rollups behind every chart, total, budget, forecast and report. Gone after the retention: the calls themselves, so the calls explorer
        and run views cannot show calls older than it, and ingest refuses them.
      </p>
      {q.error && <Alert>Could not load the retention: {q.error.message}</Alert>}
      {current === undefined ? (
        !q.error && <Skeleton className="h-10" />
      ) : (
        <p className="mb-3 text-sm" data-testid="retention-current">
          Raw events kept: <strong>{retentionText(current)}</strong>
        </p>
      )}
      {current !== undefined && canEdit && (
        <form className="flex flex-wrap items-start gap-3" onSubmit={onSubmit} aria-label="Raw-event retention" noValidate>
          <div className="w-64">
            <Field label="Days of raw events to keep" htmlFor="org-retention-days" error={error} hint={`1 to ${MAX_RETENTION_DAYS}; empty keeps all of them`}>
              <Input
                id="org-retention-days"
                name="raw_event_retention_days"
                inputMode="numeric"
                value={text}
                invalid={!!error}
                onChange={(e) => {
                  setText(e.target.value)
                  setLocal(null)
                }}
              />
            </Field>
          </div>
          <Button type="submit" className="mt-6" disabled={save.isPending || next === current}>
            {save.isPending ? 'Saving…' : 'Save retention'}
          </Button>
        </form>
      )}
      {canEdit && shorter && !error && (
        <p className="mt-2 text-xs text-amber-800" data-testid="retention-warning">
          Shorter than now: raw events older than {next} days are deleted at the workers' next pass and cannot be brought back.
        </p>
      )}
      {!canEdit && <p className="mt-2 text-xs text-slate-500">Only admins change the retention.</p>}
      {other && <Alert>{other}</Alert>}
      {save.isSuccess && !save.isPending && (
        <p className="mt-2 text-sm text-emerald-700" role="status">
          Saved: raw events kept {retentionText(save.data.organization.raw_event_retention_days)}.
        </p>
      )}
    </Card>
  )
}
