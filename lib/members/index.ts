import 'server-only'
import { recordAudit } from '@/lib/audit'
import { randomBytes } from 'node:crypto'
import type { PoolClient } from 'pg'
import { asOrg, inTransaction, pool, prisma } from '@/lib/db'
import { conflict, forbidden, isUniqueViolation, notFound } from '@/lib/errors'
import { hashPassword } from '@/lib/auth/passwords'
import { findUserByEmail } from '@/lib/orgs'
import type { Role } from '@/generated/prisma/enums'
import type { TMemberView } from '@/lib/members/schema'

// Members of an organization: the list, role changes, removal and leaving (PRODUCT.md "Users and access").
// The role is read from the membership on every request (lib/http/route.ts, lib/auth/session.ts), so a
// change or a removal applies to that person's next request, open sessions included.
//
// The last admin can be neither demoted nor removed: every change of a membership locks the organization's
// admin rows first (SELECT … FOR UPDATE), so two admins demoting each other at once cannot both succeed.

const MEMBER_SQL = `SELECT m.user_id::text, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1`
type TMemberRow = { user_id: string; email: string; name: string | null; role: Role; created_at: Date }
const view = (r: TMemberRow): TMemberView => ({ user_id: r.user_id, email: r.email, name: r.name, role: r.role, joined_at: r.created_at.toISOString() })

export async function listMembers(orgId: string): Promise<TMemberView[]> {
  const r = await pool().query<TMemberRow>(`${MEMBER_SQL} ORDER BY m.created_at, u.email`, [orgId])
  return r.rows.map(view)
}

async function lockAdmins(c: PoolClient, orgId: string): Promise<string[]> {
  const r = await c.query<{ user_id: string }>(`SELECT user_id::text FROM memberships WHERE org_id = $1 AND role = 'admin' ORDER BY user_id FOR UPDATE`, [
    orgId,
  ])
  return r.rows.map((x) => x.user_id)
}

async function memberIn(c: PoolClient, orgId: string, userId: string): Promise<TMemberRow> {
  // a malformed id is no member either (the column is a uuid)
  if (!/^[0-9a-f-]{36}$/i.test(userId)) throw notFound('No member with this id in this organization')
  const r = await c.query<TMemberRow>(`${MEMBER_SQL} AND m.user_id = $2`, [orgId, userId])
  if (!r.rows[0]) throw notFound('No member with this id in this organization')
  return r.rows[0]
}

const lastAdmin = (m: TMemberRow, self: boolean) =>
  conflict(
    self
      ? 'You are the last admin of this organization: make another member admin first'
      : `${m.email} is the last admin of this organization: make another member admin first`,
  )

/** Change a member's role; the last admin keeps theirs (409). */
export async function changeRole(orgId: string, userId: string, role: Role, actorId: string | null = null): Promise<TMemberView> {
  return inTransaction(async (c) => {
    const admins = await lockAdmins(c, orgId)
    const m = await memberIn(c, orgId, userId)
    if (m.role === role) return view(m)
    if (m.role === 'admin' && admins.length <= 1) throw lastAdmin(m, userId === actorId)
    await c.query(`UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2`, [orgId, userId, role])
    const after = view({ ...m, role })
    await recordAudit(c, orgId, { action: 'member.role_change', target: { type: 'member', id: userId }, before: view(m), after })
    return after
  })
}

/**
 * Remove a member (an admin), or leave (anyone, their own id). The last admin can do neither (409).
 * `actor` is who asks; `mayManage` whether their role manages members.
 */
export async function removeMember(orgId: string, userId: string, actor: { userId: string; mayManage: boolean }): Promise<void> {
  const self = userId === actor.userId
  if (!self && !actor.mayManage) throw forbidden('Only admins can remove other members; anyone can leave')
  await inTransaction(async (c) => {
    const admins = await lockAdmins(c, orgId)
    const m = await memberIn(c, orgId, userId)
    if (m.role === 'admin' && admins.length <= 1) throw lastAdmin(m, self)
    await c.query(`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, [orgId, userId])
    await recordAudit(c, orgId, { action: self ? 'member.leave' : 'member.remove', target: { type: 'member', id: userId }, before: view(m), after: null })
  })
}

export type TAddMemberResult = { member: TMemberView; createdUser: boolean; password: string | null }

/**
 * The CLI's member:add: the user by email, created (verified) when missing — with `password`, or a random one
 * returned once — then a member with `role` (an existing member's role changes, the last admin's excepted).
 */
export async function addMember(orgId: string, input: { email: string; role: Role; password?: string; name?: string }): Promise<TAddMemberResult> {
  // cross-org: users have no organization (a user is found by email)
  let user = await findUserByEmail(input.email)
  let password: string | null = null
  let createdUser = false
  if (!user) {
    password = input.password ?? randomBytes(12).toString('base64url')
    try {
      user = await prisma().user.create({
        data: { email: input.email, name: input.name ?? null, passwordHash: await hashPassword(password), emailVerifiedAt: new Date() },
      })
      createdUser = true
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
      user = (await findUserByEmail(input.email))!
      password = null
    }
    if (input.password) password = null // the operator chose it: nothing to show
  }
  const userId = user.id
  const existing = await asOrg(orgId, () => prisma().membership.findFirst({ where: { orgId, userId } }))
  if (existing) return { member: await asOrg(orgId, () => changeRole(orgId, userId, input.role)), createdUser, password }
  await asOrg(orgId, () =>
    prisma().$transaction(async (tx) => {
      await tx.membership.create({ data: { orgId, userId, role: input.role } })
      await recordAudit(tx, orgId, {
        action: 'member.add',
        target: { type: 'member', id: userId },
        before: null,
        after: { user_id: userId, email: input.email, role: input.role },
      })
    }),
  )
  const r = await asOrg(orgId, () => pool().query<TMemberRow>(`${MEMBER_SQL} AND m.user_id = $2`, [orgId, userId]))
  return { member: view(r.rows[0]), createdUser, password }
}
