'use client'
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Card, Field, Skeleton } from '@/components/ui'
import { useRoutingDefaults, useSaveRoutingDefaults } from '@/components/routing/queries'
import { defaultLines, parseDefaultLines } from '@/lib/routing/form'

// "Which model does a step without a published policy get?" — the defaults
// decide answers (with 404) per workflow, and the organization's own.

export function RoutingDefaults({ org, canEdit }: { org: string; canEdit: boolean }) {
  const q = useRoutingDefaults(org)
  const save = useSaveRoutingDefaults(org)
  const [text, setText] = useState('')
  const [local, setLocal] = useState<string | null>(null)
  const loaded = q.data ? defaultLines(q.data.defaults) : null
  useEffect(() => {
    if (loaded !== null) setText(loaded)
  }, [loaded])
  const lines = save.error instanceof ApiError ? save.error.lines : []
  const error = local ?? (lines.length ? lines.join('; ') : undefined)
  const other = save.error && !lines.length ? save.error.message : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const r = parseDefaultLines(text)
    setLocal(r.error ?? null)
    if (!r.error) save.mutate({ defaults: r.defaults })
  }

  return (
    <Card
      title="Routing defaults"
      subtitle="The model decide names (answering 404) for a step without a published policy: per workflow, else the organization's (*)."
    >
      {q.error && <Alert>Could not load the defaults: {q.error.message}</Alert>}
      {!q.data ? (
        <Skeleton className="h-16" />
      ) : !canEdit ? (
        q.data.defaults.length ? (
          <ul className="font-mono text-xs" data-testid="routing-defaults">
            {q.data.defaults.map((d) => (
              <li key={d.workflow_id ?? '*'}>
                {d.workflow_id ?? '* (organization)'} → {d.provider}/{d.model}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600" data-testid="routing-defaults">
            No defaults: decide answers 404 with no model for a step without a policy.
          </p>
        )
      ) : (
        <form onSubmit={onSubmit} aria-label="Routing defaults" noValidate className="space-y-3">
          <Field
            label="Defaults"
            htmlFor="rd-lines"
            error={error}
            hint="One per line: workflow = provider/model; * = provider/model for the organization's default. Empty: none."
          >
            <textarea
              id="rd-lines"
              value={text}
              onChange={(e) => setText(e.target.value)}
              rows={4}
              placeholder={'* = openai/gpt-4o-mini\nsupport-agent = anthropic/claude-3-5-haiku'}
              className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
              aria-invalid={!!error || undefined}
            />
          </Field>
          {other && (
            <p role="alert" className="text-sm text-red-700">
              {other}
            </p>
          )}
          {save.isSuccess && !save.isPending && (
            <p role="status" className="text-sm text-emerald-700">
              Defaults saved ({save.data.defaults.length}).
            </p>
          )}
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save defaults'}
          </Button>
        </form>
      )}
    </Card>
  )
}
