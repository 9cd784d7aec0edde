'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { When } from '@/components/layout/time-zone'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { callApi } from '@/components/api'
import * as api from '@/lib/members/api'
import { Alert, Button, Card, Select, Skeleton, InlineConfirm } from '@/components/ui'
import { MEMBER_ROLES, type TMemberView } from '@/lib/members/schema'
import { memberQueries, roleLabel, useMembers } from '@/components/settings/members-queries'
import { InviteForm, PendingInvitations } from '@/components/settings/members-invitations'
import { SsoDomains } from '@/components/settings/members-sso'

/**
 * Settings → Members: who has access to this organization and with what role, and who is invited.
 * Admins change roles, invite, revoke and remove; everyone can leave.
 */
export function Members({ org, orgName, me, canManage }: { org: string; orgName: string; me: string; canManage: boolean }) {
  return (
    <div className="space-y-6">
      <MembersTable org={org} orgName={orgName} me={me} canManage={canManage} />
      {canManage && (
        <>
          <InviteForm org={org} />
          <PendingInvitations org={org} />
          <SsoDomains org={org} />
        </>
      )}
    </div>
  )
}

function MembersTable({ org, orgName, me, canManage }: { org: string; orgName: string; me: string; canManage: boolean }) {
  const qc = useQueryClient()
  const router = useRouter()
  const members = useMembers(org)
  const [confirming, setConfirming] = useState<string | null>(null)
  const refresh = () => void qc.invalidateQueries({ queryKey: memberQueries.members(org) })

  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: TMemberView['role'] }) =>
      callApi(api.changeMemberRole, { org, params: { id: userId }, body: { role } }),
    onSettled: refresh,
  })
  const remove = useMutation({
    mutationFn: (userId: string) => callApi(api.removeMember, { org, params: { id: userId } }),
    onSuccess: (_r, userId) => {
      setConfirming(null)
      // having left, this organization is no longer ours: go home (another organization, or sign-up)
      if (userId === me) {
        router.push('/')
        router.refresh()
      } else refresh()
    },
  })

  function cancel(userId: string) {
    setConfirming(null)
    remove.reset()
    setTimeout(() => document.getElementById(`remove-${userId}`)?.focus(), 0)
  }

  const sorter = useSort(members.data?.members, {
    name: (m) => m.name ?? m.email,
    email: (m) => m.email,
    role: (m) => m.role,
    joined: (m) => m.joined_at,
  })
  return (
    <Card title="Members" subtitle={`People with access to ${orgName}. A change of role or a removal applies to their very next request.`}>
      {members.isPending ? (
        <div className="space-y-2">
          <Skeleton className="h-8" />
          <Skeleton className="h-8" />
        </div>
      ) : members.error ? (
        <Alert>Could not load members: {members.error.message}</Alert>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <SortTh sorter={sorter} k="name" className="py-2">
                  Name
                </SortTh>
                <SortTh sorter={sorter} k="email">
                  Email
                </SortTh>
                <SortTh sorter={sorter} k="role">
                  Role
                </SortTh>
                <SortTh sorter={sorter} k="joined">
                  Joined
                </SortTh>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorter.rows.map((m) => {
                const self = m.user_id === me
                const who = m.name ?? m.email
                return (
                  <tr key={m.user_id} data-testid={`member-${m.email}`}>
                    <td className="py-2 font-medium">
                      {m.name ?? '—'}
                      {self && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                    </td>
                    <td>{m.email}</td>
                    <td>
                      {canManage ? (
                        <Select
                          aria-label={`Role of ${who}`}
                          value={m.role}
                          disabled={changeRole.isPending}
                          onChange={(e) => changeRole.mutate({ userId: m.user_id, role: e.target.value as TMemberView['role'] })}
                        >
                          {MEMBER_ROLES.map((r) => (
                            <option key={r} value={r}>
                              {roleLabel(r)}
                            </option>
                          ))}
                        </Select>
                      ) : (
                        <span data-testid="member-role">{roleLabel(m.role)}</span>
                      )}
                    </td>
                    <td>
                      <When t={m.joined_at} kind="date" />
                    </td>
                    <td className="whitespace-nowrap py-1 text-right">
                      {confirming === m.user_id ? (
                        <InlineConfirm
                          label={self ? `Confirm leaving ${orgName}` : `Confirm removing ${who}`}
                          note={self ? 'You lose access at once.' : 'They lose access at once.'}
                          action={self ? `Leave ${orgName}` : `Remove ${who}`}
                          pendingText="Working…"
                          pending={remove.isPending}
                          onConfirm={() => remove.mutate(m.user_id)}
                          onCancel={() => cancel(m.user_id)}
                        />
                      ) : self || canManage ? (
                        <Button
                          type="button"
                          variant="danger"
                          className="px-2 py-1 text-xs"
                          id={`remove-${m.user_id}`}
                          aria-label={self ? `Leave ${orgName}` : `Remove ${who}`}
                          onClick={() => {
                            remove.reset()
                            setConfirming(m.user_id)
                          }}
                        >
                          {self ? 'Leave' : 'Remove'}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {changeRole.error && (
        <div className="mt-3">
          <Alert>{changeRole.error.message}</Alert>
        </div>
      )}
      {remove.error && (
        <div className="mt-3">
          <Alert>{remove.error.message}</Alert>
        </div>
      )}
    </Card>
  )
}
