import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZChangeRole, ZCreateInvitation, ZCreatedInvitation, ZInvitationView, ZMemberView } from '@/lib/members/schema'

// Members and invitations (PRODUCT.md "Users and access"): signed-in members only.

const ZUserId = z.strictObject({ id: z.string().min(1).max(100).meta({ description: 'the member’s user id' }) })
const ZInvitationId = z.strictObject({ id: z.string().min(1).max(100).meta({ description: 'the invitation’s id' }) })

export const listMembers = endpoint({
  method: 'GET',
  path: '/api/v1/members',
  tag: 'Members',
  permission: 'spend.read',
  summary: 'The organization’s members',
  description: 'Every member may see who has access.',
  responses: { 200: { description: 'The members', schema: z.object({ members: z.array(ZMemberView) }) } },
})

export const changeMemberRole = endpoint({
  method: 'PATCH',
  path: '/api/v1/members/{id}',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Change a member’s role',
  description: 'The last admin keeps theirs (409). Takes effect on the member’s open sessions at once.',
  params: ZUserId,
  body: { schema: ZChangeRole, maxBytes: 4 * 1024, message: 'Invalid role change' },
  responses: { 200: { description: 'The member with the new role', schema: z.object({ member: ZMemberView }) } },
  errors: [409],
})

export const removeMember = endpoint({
  method: 'DELETE',
  path: '/api/v1/members/{id}',
  tag: 'Members',
  permission: 'spend.read',
  summary: 'Remove a member, or leave',
  description: 'Admins remove anyone; any member may remove themselves (leave). The last admin can do neither (409).',
  params: ZUserId,
  responses: { 204: { description: 'Removed' } },
  errors: [409],
})

export const listInvitations = endpoint({
  method: 'GET',
  path: '/api/v1/invitations',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Pending and expired invitations',
  responses: { 200: { description: 'The invitations not accepted yet', schema: z.object({ invitations: z.array(ZInvitationView) }) } },
})

export const createInvitation = endpoint({
  method: 'POST',
  path: '/api/v1/invitations',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Invite someone by email',
  description: 'The link is in the answer (always copyable), and emailed when SMTP is configured.',
  body: { schema: ZCreateInvitation, maxBytes: 4 * 1024, message: 'Please fix the highlighted fields' },
  responses: { 201: { description: 'The invitation and its link', schema: ZCreatedInvitation } },
  errors: [409],
  example: { body: { email: 'fran@example.com', role: 'finance' } },
})

export const revokeInvitation = endpoint({
  method: 'DELETE',
  path: '/api/v1/invitations/{id}',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Revoke a pending invitation',
  description: 'Its link stops working at once.',
  params: ZInvitationId,
  responses: { 204: { description: 'Revoked' } },
})
