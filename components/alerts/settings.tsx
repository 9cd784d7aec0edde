'use client'
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Input, Skeleton } from '@/components/ui'
import { useAlertSettings, useUpdateAlertSettings } from '@/components/alerts/queries'
import { defaultText, SETTINGS_FIELDS, settingsForm, settingsPatch, settingText, type TSettingsForm } from '@/lib/alerts/settings-view'

// How sensitive the drift detectors are, per organization: admins and
// engineers change it here (PUT /api/v1/alerts/settings), everyone else reads
// it. The next evaluation uses it (hourly detectors: at the next hour).

const DETECTORS = [...new Set(SETTINGS_FIELDS.map((f) => f.detector))]

export function DriftSettings({ org, canEdit }: { org: string; canEdit: boolean }) {
  const settings = useAlertSettings(org)
  const save = useUpdateAlertSettings(org)
  const [form, setForm] = useState<TSettingsForm | null>(null)
  const [saved, setSaved] = useState(false)
  const cfg = settings.data?.settings
  useEffect(() => {
    if (cfg && !form) setForm(settingsForm(cfg))
  }, [cfg, form])

  const lines = save.error instanceof ApiError ? save.error.lines : []
  const errorOf = (k: string) => lines.find((l) => l.startsWith(`${k}:`))?.replace(/^[^:]+: /, '')
  const other = save.error && !lines.some((l) => SETTINGS_FIELDS.some((f) => l.startsWith(`${f.key}:`))) ? lines.join('; ') || save.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (!form) return
    setSaved(false)
    save.mutate(settingsPatch(form), {
      onSuccess: (r) => {
        setForm(settingsForm(r.settings))
        setSaved(true)
      },
    })
  }

  return (
    <Card
      title="Drift detector settings"
      subtitle={
        canEdit
          ? 'How far a measure must move before its detector fires, and how much data it needs first. Budgets keep their own thresholds. Hourly detectors use a change from the next hour.'
          : 'How far a measure must move before its detector fires. Only admins and engineers change these.'
      }
    >
      {settings.error && <Alert>Could not load the settings: {settings.error.message}</Alert>}
      {!cfg || !form ? (
        <Skeleton className="h-32" />
      ) : canEdit ? (
        <form onSubmit={onSubmit} aria-label="Drift detector settings" noValidate className="space-y-4">
          <div className="grid gap-6 md:grid-cols-3">
            {DETECTORS.map((d) => (
              <fieldset key={d} className="space-y-3">
                <legend className="mb-2 text-sm font-semibold text-slate-900">{d}</legend>
                {SETTINGS_FIELDS.filter((f) => f.detector === d).map((f) => {
                  const id = `drift-${f.key}`
                  const err = errorOf(f.key)
                  return (
                    <Field key={f.key} label={`${f.label} (${f.unit})`} htmlFor={id} error={err} hint={defaultText(f)}>
                      <Input
                        id={id}
                        name={f.key}
                        value={form[f.key]}
                        inputMode={f.integer ? 'numeric' : 'decimal'}
                        invalid={!!err}
                        onChange={(e) => {
                          setSaved(false)
                          setForm({ ...form, [f.key]: e.target.value })
                        }}
                      />
                    </Field>
                  )
                })}
              </fieldset>
            ))}
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save settings'}
            </Button>
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                setSaved(false)
                save.reset()
                setForm(settingsForm(cfg))
              }}
            >
              Discard changes
            </Button>
            {saved && (
              <span role="status" className="text-sm text-emerald-700">
                Saved. The next evaluation uses these settings.
              </span>
            )}
          </div>
          {other && (
            <p role="alert" className="text-sm text-red-700">
              {other}
            </p>
          )}
        </form>
      ) : (
        <div className="grid gap-6 md:grid-cols-3" data-testid="drift-settings">
          {DETECTORS.map((d) => (
            <div key={d}>
              <h3 className="mb-2 text-sm font-semibold text-slate-900">{d}</h3>
              <dl className="space-y-1 text-sm">
                {SETTINGS_FIELDS.filter((f) => f.detector === d).map((f) => (
                  <div key={f.key} className="flex justify-between gap-3" data-setting={f.key}>
                    <dt className="text-slate-600">{f.label}</dt>
                    <dd className="num font-medium text-slate-900">{settingText(f, cfg)}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </div>
      )}
    </Card>
  )
}
