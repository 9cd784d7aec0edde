import 'server-only'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { asActor, recordAudit } from '@/lib/audit'
import { asOrg, pool, prisma } from '@/lib/db'
import { isUniqueViolation } from '@/lib/errors'
import { hashPassword } from '@/lib/auth/passwords'
import { findUserByEmail } from '@/lib/orgs'
import type { Role } from '@/generated/prisma/enums'
import type { TSignedIn } from '@/lib/auth/accounts'
import type { TPutSsoDomains, TSsoDomain } from '@/lib/auth/sso-schema'
import { emailDomain, planSsoSignIn, type TSsoRule } from '@/lib/auth/sso-plan'

// Single sign-on with OpenID Connect (docs/accounts-and-members.md, "Accounts and sessions"; the provider is wired in lib/auth/options.ts).
// - Only an email the provider says it verified (`email_verified: true` in the ID token) is used.
// - A user with that email signs in as themselves (their memberships unchanged).
// - Otherwise a new (verified) user is made when at least one organization allows the email's domain
//   (sso_domains), and joins every such organization with the role it set; an email no organization allows
//   is refused: nobody gets an account, or an organization of their own, by SSO alone.

// The ID token's claims this needs. Some providers send email_verified as the string "true".
const ZOidcClaims = z.object({
  sub: z.string().min(1),
  email: z.string().trim().toLowerCase().pipe(z.email()),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  name: z.string().max(200).optional().nullable(),
})

export type TSsoSignInResult = { ok: true; user: TSignedIn; createdUser: boolean } | { ok: false; reason: 'unverified' | 'no_account' | 'invalid' }

export async function signInWithOidc(claims: unknown): Promise<TSsoSignInResult> {
  const c = ZOidcClaims.safeParse(claims)
  if (!c.success) return { ok: false, reason: c.error.issues.some((i) => i.path[0] === 'email') ? 'no_account' : 'invalid' }
  const { email, name } = c.data
  // cross-org: a user is found by email before any organization is known (users has no org_id)
  const existing = await findUserByEmail(email)
  const domain = emailDomain(email)
  const rules = existing || !domain ? [] : await ssoRulesForDomain(domain)
  const plan = planSsoSignIn({ email, emailVerified: c.data.email_verified === true, existingUserId: existing?.id ?? null, rules })
  if (plan.kind === 'refuse') return { ok: false, reason: plan.reason }
  if (plan.kind === 'existing') {
    // the provider vouches for the address: an account still waiting for its verification link no longer needs it
    if (!existing!.emailVerifiedAt) await prisma().user.update({ where: { id: existing!.id }, data: { emailVerifiedAt: new Date() } })
    return { ok: true, createdUser: false, user: { id: existing!.id, email: existing!.email, name: existing!.name, sessionVersion: existing!.sessionVersion } }
  }
  let user
  try {
    // no password: a random one nobody knows (they can set one through "Forgot your password?")
    user = await prisma().user.create({
      data: { email, name: name ?? null, passwordHash: await hashPassword(randomBytes(32).toString('base64url')), emailVerifiedAt: new Date() },
    })
  } catch (e) {
    if (!isUniqueViolation(e)) throw e
    // the same person's first sign-in in another tab, a moment ago: they are that user now
    const again = (await findUserByEmail(email))!
    return { ok: true, createdUser: false, user: { id: again.id, email: again.email, name: again.name, sessionVersion: again.sessionVersion } }
  }
  const userId = user.id
  await asActor({ type: 'user', id: userId, label: `${email} (SSO)` }, async () => {
    for (const j of plan.joins) {
      await asOrg(j.orgId, () =>
        prisma().$transaction(async (tx) => {
          await tx.membership.create({ data: { orgId: j.orgId, userId, role: j.role } })
          await recordAudit(tx, j.orgId, {
            action: 'member.add',
            target: { type: 'member', id: userId },
            before: null,
            after: { user_id: userId, email, role: j.role, via: 'sso' },
          })
        }),
      )
    }
  })
  return { ok: true, createdUser: true, user: { id: userId, email: user.email, name: user.name, sessionVersion: user.sessionVersion } }
}

async function ssoRulesForDomain(domain: string): Promise<TSsoRule[]> {
  // cross-org: before the user has any organization, the organizations that allow this domain (SECURITY DEFINER)
  const r = await pool().query<{ org_id: string; role: Role }>('SELECT org_id::text, role FROM outlay_sso_orgs_for_domain($1)', [domain])
  return r.rows.map((x) => ({ orgId: x.org_id, domain, role: x.role }))
}

// ------------------------------------------------------------------ an organization's allowed domains

export async function listSsoDomains(orgId: string): Promise<TSsoDomain[]> {
  const rows = await prisma().ssoDomain.findMany({ where: { orgId }, orderBy: { domain: 'asc' } })
  return rows.map((r) => ({ domain: r.domain, role: r.role }))
}

/** Replace the organization's allowed domains with `input.domains` (an empty list turns joining by domain off). */
export async function replaceSsoDomains(orgId: string, input: TPutSsoDomains): Promise<TSsoDomain[]> {
  const after = [...input.domains].sort((a, b) => a.domain.localeCompare(b.domain))
  return prisma().$transaction(async (tx) => {
    const before = (await tx.ssoDomain.findMany({ where: { orgId }, orderBy: { domain: 'asc' } })).map((r) => ({ domain: r.domain, role: r.role }))
    if (JSON.stringify(before) === JSON.stringify(after)) return after
    await tx.ssoDomain.deleteMany({ where: { orgId } })
    if (after.length > 0) await tx.ssoDomain.createMany({ data: after.map((d) => ({ orgId, domain: d.domain, role: d.role })) })
    await recordAudit(tx, orgId, {
      action: 'sso_domains.update',
      target: { type: 'sso_domains', id: null },
      before: { domains: before },
      after: { domains: after },
    })
    return after
  })
}
