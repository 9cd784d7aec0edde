'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { callApi } from '@/components/api'
import * as api from '@/lib/auth/api'
import { Alert, Button, Card, Input, Select, Skeleton } from '@/components/ui'
import { MEMBER_ROLES } from '@/lib/members/schema'
import { ZPutSsoDomains, type TSsoDomain } from '@/lib/auth/sso-schema'
import { issuesToLines } from '@/lib/validation'
import { ROLE_HINTS, roleLabel } from '@/components/settings/members-queries'

const ssoQueryKey = (org: string) => ['sso-domains', org] as const

/** Settings → Members, for admins: "people signing in with SSO from these email domains join as this role". */
export function SsoDomains({ org }: { org: string }) {
  const qc = useQueryClient()
  const q = useQuery({
    queryKey: ssoQueryKey(org),
    queryFn: ({ signal }) => callApi(api.getSsoDomains, { org, signal }),
  })
  const [rows, setRows] = useState<TSsoDomain[] | null>(null)
  const [localError, setLocalError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  // the list being edited: the saved one until the first change
  const list = rows ?? q.data?.domains ?? []
  const save = useMutation({
    mutationFn: (domains: TSsoDomain[]) => callApi(api.putSsoDomains, { org, body: { domains } }),
    onSuccess: (r) => {
      setRows(r.domains)
      setSaved(true)
      qc.setQueryData(ssoQueryKey(org), r)
    },
  })

  function onSave() {
    setSaved(false)
    const local = ZPutSsoDomains.safeParse({ domains: list })
    if (!local.success) return setLocalError(issuesToLines(local.error.issues).join('; '))
    setLocalError(null)
    save.mutate(local.data.domains)
  }
  const update = (i: number, patch: Partial<TSsoDomain>) => {
    setSaved(false)
    setRows(list.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  }

  return (
    <Card
      title="Single sign-on"
      subtitle="People who sign in with single sign-on for the first time, with a verified email at one of these domains, join this organization with its role."
    >
      {q.error ? (
        <Alert>{q.error.message}</Alert>
      ) : q.isLoading ? (
        <Skeleton className="h-16" />
      ) : (
        <div className="space-y-3" aria-label="Allowed email domains" role="group">
          {q.data && !q.data.sso_configured && (
            <Alert tone="warning">
              Single sign-on is not configured on this server (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): these domains apply once it is.
            </Alert>
          )}
          {list.length === 0 && <p className="text-sm text-slate-600">No domain: only invited people join.</p>}
          {list.map((r, i) => (
            <div key={i} className="grid gap-2 sm:grid-cols-[3fr_2fr_auto] sm:items-center">
              <Input aria-label={`Domain ${i + 1}`} value={r.domain} placeholder="company.com" onChange={(e) => update(i, { domain: e.target.value })} />
              <Select
                aria-label={`Role for domain ${i + 1}`}
                value={r.role}
                className="w-full py-2"
                onChange={(e) => update(i, { role: e.target.value as TSsoDomain['role'] })}
              >
                {MEMBER_ROLES.map((role) => (
                  <option key={role} value={role}>
                    {roleLabel(role)} — {ROLE_HINTS[role]}
                  </option>
                ))}
              </Select>
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setSaved(false)
                  setRows(list.filter((_, j) => j !== i))
                }}
              >
                Remove
              </Button>
            </div>
          ))}
          {(localError || save.error) && <Alert>{localError ?? save.error?.message}</Alert>}
          {saved && <Alert tone="success">Saved.</Alert>}
          <div className="flex gap-2">
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                setSaved(false)
                setRows([...list, { domain: '', role: 'viewer' }])
              }}
            >
              Add a domain
            </Button>
            <Button type="button" onClick={onSave} disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save domains'}
            </Button>
          </div>
        </div>
      )}
    </Card>
  )
}
