'use client'
import { useMutation } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useMemo, useState } from 'react'
import { ApiError, callApi } from '@/components/api'
import { useDates } from '@/components/layout/time-zone'
import { Alert, Button, Card, Select } from '@/components/ui'
import * as api from '@/lib/orgs/api'
import { timeZones } from '@/lib/format'

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
