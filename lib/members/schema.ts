import { z } from 'zod'
import { Role } from '@/generated/prisma/enums'
import { ZDeliverableEmail, ZNewPassword, ZToken } from '@/lib/auth/schema'

// Members and invitations (PRODUCT.md "Users and access"): inputs and answers, shared by the routes,
// the CLI and the forms (client-safe: no server imports).

export const MEMBER_ROLES = Object.values(Role)
export const ZRole = z.enum(MEMBER_ROLES, { error: `must be one of ${MEMBER_ROLES.join(', ')}` })

export const ZCreateInvitation = z.strictObject({ email: ZDeliverableEmail, role: ZRole })
export type TCreateInvitation = z.infer<typeof ZCreateInvitation>

export const ZChangeRole = z.strictObject({ role: ZRole })
export type TChangeRole = z.infer<typeof ZChangeRole>

/**
 * Accepting an invitation: signed in (the session's email must be the invited one), nothing but the token;
 * signed out, a new person's name and password (an email with an account signs in first).
 */
export const ZAcceptInvitation = z.strictObject({
  token: ZToken,
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional(),
  password: ZNewPassword.optional(),
})
export type TAcceptInvitation = z.infer<typeof ZAcceptInvitation>

export const ZMemberView = z.object({ user_id: z.string(), email: z.string(), name: z.string().nullable(), role: ZRole, joined_at: z.string() })
export type TMemberView = z.infer<typeof ZMemberView>

export const ZInvitationView = z.object({
  id: z.string(),
  email: z.string(),
  role: ZRole,
  expires_at: z.string(),
  created_at: z.string(),
  invited_by: z.string().nullable(),
  /** expired: past expires_at, never accepted (kept in the list so an admin sees it and sends a new one) */
  status: z.enum(['pending', 'expired']),
})
export type TInvitationView = z.infer<typeof ZInvitationView>

/** POST /api/v1/invitations: the link is in the answer (always copyable), emailed as well when SMTP is configured. */
export const ZCreatedInvitation = z.object({ id: z.string(), email: z.string(), role: ZRole, url: z.string(), expires_at: z.string(), emailed: z.boolean() })
export type TCreatedInvitation = z.infer<typeof ZCreatedInvitation>

/** POST /api/invitations/accept */
export const ZAcceptedInvitation = z.object({ org_slug: z.string(), role: ZRole, created_account: z.boolean() })
export type TAcceptedInvitation = z.infer<typeof ZAcceptedInvitation>
