import 'server-only'
import { randomUUID } from 'node:crypto'
import { asOrg, inTransaction, pool, prisma } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { conflict, isUniqueViolation } from '@/lib/errors'
import { hashPassword } from '@/lib/auth/passwords'
import type { Role } from '@/generated/prisma/enums'
import type { TOrgSettings, TOrgSettingsPatch, TSignUp } from '@/lib/orgs/schema'

export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return (s || 'org').slice(0, 40)
}

async function uniqueSlug(name: string): Promise<string> {
  const base = slugify(name)
  for (let i = 0; i < 50; i++) {
    const candidate = i === 0 ? base : `${base}-${i + 1}`
    if (!(await prisma().organization.findUnique({ where: { slug: candidate }, select: { id: true } }))) return candidate
  }
  return `${base}-${Date.now().toString(36)}`
}

/** time_zone: the IANA zone its pages show dates and times in (lib/format.ts formatDateTime) */
export type TOrgView = { id: string; name: string; slug: string; time_zone: string }

export type TCreateOrgOptions = {
  /** the password's hash when the caller made it already (sign-up hashes before it knows whether the email is taken) */
  passwordHash?: string
  /** false: the account must verify its email before signing in (sign-up with SMTP configured); the CLI and tests make verified accounts */
  emailVerified?: boolean
}

/** A new user and a new organization they administer; an email already taken is a 409. */
export async function createOrgWithAdmin(input: TSignUp, opts: TCreateOrgOptions = {}): Promise<{ org: TOrgView; userId: string }> {
  const slug = await uniqueSlug(input.org_name)
  const passwordHash = opts.passwordHash ?? (await hashPassword(input.password))
  const emailVerifiedAt = opts.emailVerified === false ? null : new Date()
  // The new organization's id is chosen here so that the transaction can declare it (row-level security).
  const orgId = randomUUID()
  try {
    return await asOrg(orgId, () =>
      prisma().$transaction(async (tx) => {
        const user = await tx.user.create({ data: { email: input.email, name: input.name ?? null, passwordHash, emailVerifiedAt } })
        const org = await tx.organization.create({ data: { id: orgId, name: input.org_name, slug } })
        await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: 'admin' } })
        return { org: { id: org.id, name: org.name, slug: org.slug, time_zone: org.timeZone }, userId: user.id }
      }),
    )
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('An account with this email already exists: sign in, or reset your password')
    throw e
  }
}

export type TMembershipView = { org: TOrgView; role: Role }

// cross-org: a person's organizations (SECURITY DEFINER function; organizations carry no tenant rows). One round
// trip: membershipBySlug runs before every page and session request.
const MEMBERSHIPS_SQL = `SELECT o.id::text, o.name, o.slug, o.time_zone, m.role FROM outlay_memberships_of($1::uuid) m JOIN organizations o ON o.id = m.org_id`
type TMembershipRow = { id: string; name: string; slug: string; time_zone: string; role: Role }
const membershipView = (m: TMembershipRow): TMembershipView => ({ org: { id: m.id, name: m.name, slug: m.slug, time_zone: m.time_zone }, role: m.role })

export async function membershipsOf(userId: string): Promise<TMembershipView[]> {
  const r = await pool().query<TMembershipRow>(`${MEMBERSHIPS_SQL} ORDER BY m.created_at`, [userId])
  return r.rows.map(membershipView)
}

export async function membershipBySlug(userId: string, slug: string): Promise<TMembershipView | null> {
  const r = await pool().query<TMembershipRow>(`${MEMBERSHIPS_SQL} WHERE o.slug = $2`, [userId, slug])
  return r.rows[0] ? membershipView(r.rows[0]) : null
}

export async function findUserByEmail(email: string) {
  return prisma().user.findUnique({ where: { email: email.trim().toLowerCase() } })
}

const SETTINGS_COLUMNS = 'name, slug, time_zone, raw_event_retention_days'

/** The organization's settings (GET /api/v1/organization). */
export async function orgSettings(orgId: string): Promise<TOrgSettings> {
  const r = await pool().query<TOrgSettings>(`SELECT ${SETTINGS_COLUMNS} FROM organizations WHERE id = $1`, [orgId])
  return r.rows[0]
}

/**
 * Change the organization's time zone and/or raw-event retention (admins); each change audited. A shorter retention
 * is applied by the workers' next maintenance pass (lib/ingest/retention.ts) and refused at ingest at once.
 */
export async function setOrgSettings(orgId: string, patch: TOrgSettingsPatch): Promise<TOrgSettings> {
  return inTransaction(async (c) => {
    const before = (await c.query<TOrgSettings>(`SELECT ${SETTINGS_COLUMNS} FROM organizations WHERE id = $1 FOR UPDATE`, [orgId])).rows[0]
    const r = await c.query<TOrgSettings>(
      `UPDATE organizations SET time_zone = coalesce($2, time_zone),
         raw_event_retention_days = CASE WHEN $3::bool THEN $4::int ELSE raw_event_retention_days END
       WHERE id = $1 RETURNING ${SETTINGS_COLUMNS}`,
      [orgId, patch.time_zone ?? null, patch.raw_event_retention_days !== undefined, patch.raw_event_retention_days ?? null],
    )
    const after = r.rows[0]
    for (const field of ['time_zone', 'raw_event_retention_days'] as const)
      if (before && after && before[field] !== after[field])
        await recordAudit(c, orgId, {
          action: `organization.${field}`,
          target: { type: 'organization', id: orgId },
          before: { [field]: before[field] },
          after: { [field]: after[field] },
        })
    return after
  })
}
