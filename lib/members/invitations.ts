import 'server-only'
import { DAY_MS } from '@/lib/domain'
import { recordAudit } from '@/lib/audit'
import { asActor } from '@/lib/audit/actor'
import { createHash, randomBytes } from 'node:crypto'
import { asNoOrg, asOrg, pool, prisma } from '@/lib/db'
import { AppError, badRequest, conflict, forbidden, isUniqueViolation, notFound } from '@/lib/errors'
import { hashPassword } from '@/lib/auth/passwords'
import { recordFailure, RULES, throttled, throttleWait, type TThrottleKey } from '@/lib/auth/throttle'
import { appLink, sendMail, smtpConfigured } from '@/lib/notifications/mail'
import { findUserByEmail } from '@/lib/orgs'
import type { Role } from '@/generated/prisma/enums'
import type { TAcceptedInvitation, TAcceptInvitation, TCreatedInvitation, TCreateInvitation, TInvitationView } from '@/lib/members/schema'
import { log } from '@/lib/log'

// Invitations: a single-use link (/invite/<token>) that joins one email address to an organization with a
// role. Only the token's SHA-256 is stored (the token is 256 random bits, so a slow KDF adds nothing); the
// link is in the creating answer (always copyable) and emailed when SMTP is configured. It expires after
// INVITATION_TTL_DAYS. Opening it signs a new person up (the email counts as verified: the link proved it)
// or, for an existing account, asks them to sign in with that same email and then joins them. Someone
// signed in with another email is refused: an invitation is for the person it names.

export const INVITATION_TTL_DAYS = 7
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
export const invitationUrl = (token: string) => appLink(`/invite/${token}`)
const tokenKeys = (address: string): TThrottleKey[] => [{ rule: RULES.tokenAddress, id: address }]

type TInvitationRow = { id: string; email: string; role: Role; expiresAt: Date; createdAt: Date; invitedBy: { email: string; name: string | null } | null }
const view = (i: TInvitationRow, now = Date.now()): TInvitationView => ({
  id: i.id,
  email: i.email,
  role: i.role,
  expires_at: i.expiresAt.toISOString(),
  created_at: i.createdAt.toISOString(),
  invited_by: i.invitedBy ? (i.invitedBy.name ?? i.invitedBy.email) : null,
  status: i.expiresAt.getTime() <= now ? 'expired' : 'pending',
})

/** A new invitation; one still pending for the same email is replaced (its link stops working). */
export async function createInvitation(orgId: string, input: TCreateInvitation, invitedById: string | null): Promise<TCreatedInvitation> {
  const already = await pool().query(`SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`, [orgId, input.email])
  if (already.rowCount) throw conflict(`${input.email} is already a member of this organization`)
  const token = randomBytes(32).toString('base64url')
  const inv = await prisma().$transaction(async (tx) => {
    await tx.invitation.deleteMany({ where: { orgId, email: input.email, acceptedAt: null } })
    const made = await tx.invitation.create({
      data: {
        orgId,
        email: input.email,
        role: input.role,
        tokenHash: sha256(token),
        invitedById,
        expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * DAY_MS),
      },
      include: { org: { select: { name: true } }, invitedBy: { select: { email: true, name: true } } },
    })
    await recordAudit(tx, orgId, {
      action: 'invitation.create',
      target: { type: 'invitation', id: made.id },
      before: null,
      after: { email: made.email, role: made.role, expires_at: made.expiresAt.toISOString() },
    })
    return made
  })
  const url = invitationUrl(token)
  const emailed = smtpConfigured()
  if (emailed) sendInvitationMail(inv.email, inv.org.name, inv.role, url, inv.invitedBy ? (inv.invitedBy.name ?? inv.invitedBy.email) : null)
  return { id: inv.id, email: inv.email, role: inv.role, url, expires_at: inv.expiresAt.toISOString(), emailed }
}

function sendInvitationMail(to: string, orgName: string, role: Role, url: string, inviter: string | null): void {
  // after the answer: the link is in it already, and an SMTP failure must not undo the invitation
  sendMail({
    to,
    subject: `[Outlay] You are invited to ${orgName}`,
    text: [
      `${inviter ?? 'An admin'} invited you to join ${orgName} on Outlay as ${role.replace('_', ' ')}.`,
      '',
      'Accept the invitation here:',
      url,
      '',
      `The link works once, for ${INVITATION_TTL_DAYS} days, and only for this email address. If you did not expect it, ignore this email.`,
      '',
    ].join('\n'),
  }).catch((err) => log({ component: 'members' }).error({ err }, 'could not email an invitation'))
}

/** Invitations not accepted yet, newest first (expired ones too, marked so). */
export async function listInvitations(orgId: string): Promise<TInvitationView[]> {
  const rows = await prisma().invitation.findMany({
    where: { orgId, acceptedAt: null },
    orderBy: { createdAt: 'desc' },
    include: { invitedBy: { select: { email: true, name: true } } },
  })
  return rows.map((r) => view(r))
}

/** Revoke (delete) an invitation not accepted yet: its link stops working at once. */
export async function revokeInvitation(orgId: string, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('No pending invitation with this id')
  await prisma().$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: { orgId, id, acceptedAt: null } })
    const r = await tx.invitation.deleteMany({ where: { orgId, id, acceptedAt: null } })
    if (!inv || r.count === 0) throw notFound('No pending invitation with this id')
    await recordAudit(tx, orgId, {
      action: 'invitation.revoke',
      target: { type: 'invitation', id },
      before: { email: inv.email, role: inv.role, expires_at: inv.expiresAt.toISOString() },
      after: null,
    })
  })
}

// ------------------------------------------------------------------ by token (before the organization is known)

type TByToken = { id: string; org_id: string; email: string; role: Role; expires_at: Date; accepted_at: Date | null }

async function byToken(token: string): Promise<TByToken | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null
  // cross-org: an invitation by its token's hash before its organization is known (SECURITY DEFINER function)
  const r = await asNoOrg(() =>
    pool().query<TByToken>(`SELECT id::text, org_id::text, email, role, expires_at, accepted_at FROM outlay_invitation_by_token($1)`, [sha256(token)]),
  )
  return r.rows[0] ?? null
}

export type TInvitationInfo = {
  org: { id: string; name: string; slug: string }
  email: string
  role: Role
  expires_at: string
  state: 'valid' | 'expired' | 'used'
  /** an account with the invited email exists: it signs in instead of signing up */
  account_exists: boolean
}

/** What the invitation page shows; null for an unknown (or revoked) token. */
export async function invitationInfo(token: string): Promise<TInvitationInfo | null> {
  const inv = await byToken(token)
  if (!inv) return null
  // organizations and users carry no tenant rows
  const org = await prisma().organization.findUnique({ where: { id: inv.org_id }, select: { id: true, name: true, slug: true } })
  if (!org) return null
  const state = inv.accepted_at ? 'used' : inv.expires_at.getTime() <= Date.now() ? 'expired' : 'valid'
  return { org, email: inv.email, role: inv.role, expires_at: inv.expires_at.toISOString(), state, account_exists: !!(await findUserByEmail(inv.email)) }
}

const unusable = () =>
  new AppError('invitation_invalid', 410, 'This invitation link is invalid, already used, revoked or expired: ask an admin of the organization for a new one')

export class SignInRequired extends AppError {
  constructor(email: string) {
    super('sign_in_required', 409, `An account with ${email} exists: sign in with it, then open this link again to join`)
  }
}

/**
 * Accept an invitation: as the signed-in user (whose email must be the invited one), or, signed out, as a new
 * person with `name` and `password` (an email with an account must sign in first). Single use: the invitation
 * is marked accepted in the same transaction as the membership is made, by a conditional update.
 */
export async function acceptInvitation(
  input: TAcceptInvitation,
  signedIn: { id: string; email: string } | null,
  address: string,
): Promise<TAcceptedInvitation> {
  const wait = await throttleWait(tokenKeys(address))
  if (wait > 0) throw throttled(wait)
  const inv = await byToken(input.token)
  if (!inv || inv.accepted_at || inv.expires_at.getTime() <= Date.now()) {
    const lock = await recordFailure(tokenKeys(address))
    throw lock > 0 ? throttled(lock) : unusable()
  }
  if (signedIn && signedIn.email.toLowerCase() !== inv.email.toLowerCase()) {
    throw forbidden(
      `This invitation is for ${inv.email}, and you are signed in as ${signedIn.email}. Sign out and open the link again, or ask an admin to invite ${signedIn.email}.`,
    )
  }
  let userId = signedIn?.id ?? null
  let passwordHash: string | null = null
  if (!userId) {
    // cross-org: users have no organization (a user is found by email)
    if (await findUserByEmail(inv.email)) throw new SignInRequired(inv.email)
    const missing = [...(input.name ? [] : ['name: is required']), ...(input.password ? [] : ['password: is required'])]
    if (missing.length) throw badRequest('Please fix the highlighted fields', { errors: missing })
    passwordHash = await hashPassword(input.password!)
  }
  const slug = (await prisma().organization.findUnique({ where: { id: inv.org_id }, select: { slug: true } }))?.slug
  if (!slug) throw unusable()
  try {
    return await asOrg(inv.org_id, () =>
      prisma().$transaction(async (tx) => {
        const spent = await tx.invitation.updateMany({
          where: { id: inv.id, orgId: inv.org_id, acceptedAt: null, expiresAt: { gt: new Date() } },
          data: { acceptedAt: new Date() },
        })
        if (spent.count !== 1) throw unusable() // used a moment ago, in parallel, or revoked
        if (!userId) {
          // the link reached this address: it counts as verified
          const u = await tx.user.create({ data: { email: inv.email, name: input.name ?? null, passwordHash: passwordHash!, emailVerifiedAt: new Date() } })
          userId = u.id
        } else {
          await tx.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: new Date() } })
        }
        const existing = await tx.membership.findFirst({ where: { orgId: inv.org_id, userId } })
        const m = existing ?? (await tx.membership.create({ data: { orgId: inv.org_id, userId, role: inv.role } }))
        // the person who opened the link acts here (a public page: no withOrg actor)
        const joined = userId
        await asActor({ type: 'user', id: joined, label: inv.email }, () =>
          recordAudit(tx, inv.org_id, {
            action: 'invitation.accept',
            target: { type: 'invitation', id: inv.id },
            before: null,
            after: { user_id: joined, email: inv.email, role: m.role },
          }),
        )
        return { org_slug: slug, role: m.role, created_account: !signedIn }
      }),
    )
  } catch (e) {
    if (isUniqueViolation(e)) throw new SignInRequired(inv.email) // the same email signed up a moment ago
    throw e
  }
}
