import type { Role } from '@/generated/prisma/enums'

// The decision of an SSO sign-in, without I/O (lib/auth/sso.ts reads and writes).

/** The domain of an email, lower-cased; null when it has none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@')
  if (at <= 0) return null
  const d = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
  return d.length > 0 ? d : null
}

export type TSsoRule = { orgId: string; domain: string; role: Role }
export type TSsoPlan =
  | { kind: 'existing'; userId: string }
  | { kind: 'create'; joins: { orgId: string; role: Role }[] }
  | { kind: 'refuse'; reason: 'unverified' | 'no_account' }

/**
 * What an SSO sign-in does: the existing user by email, or a new one joining every organization whose allowed
 * domain is exactly the email's (no subdomains: "eng.example.com" is not "example.com"), once per organization.
 */
export function planSsoSignIn(input: { email: string; emailVerified: boolean; existingUserId: string | null; rules: TSsoRule[] }): TSsoPlan {
  if (!input.emailVerified) return { kind: 'refuse', reason: 'unverified' }
  if (input.existingUserId) return { kind: 'existing', userId: input.existingUserId }
  const domain = emailDomain(input.email)
  const joins = new Map<string, Role>()
  for (const r of input.rules) if (domain !== null && r.domain.toLowerCase() === domain && !joins.has(r.orgId)) joins.set(r.orgId, r.role)
  if (joins.size === 0) return { kind: 'refuse', reason: 'no_account' }
  return { kind: 'create', joins: [...joins].map(([orgId, role]) => ({ orgId, role })) }
}
