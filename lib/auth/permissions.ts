import type { Role } from '@/generated/prisma/enums'

// Role → permission map (PRODUCT.md "Users and access"). alerts.write: acknowledge and mute
// alerts; alerts.configure (admins, engineers): drift detector settings and notification
// channels, whose URLs and secrets only they see. fleet.write: GPU pools, scenario line items.
export const PERMISSIONS = ['metrics.read', 'accounts.read', 'keys.manage', 'members.manage', 'prices.write', 'budgets.write', 'routing.write', 'exports.read', 'slos.write', 'alerts.write', 'alerts.configure', 'fleet.write'] as const
export type TPermission = (typeof PERMISSIONS)[number]

const ROLE_PERMISSIONS: Record<Role, readonly TPermission[]> = {
  admin: PERMISSIONS,
  engineer: ['metrics.read', 'accounts.read', 'keys.manage', 'prices.write', 'budgets.write', 'routing.write', 'slos.write', 'alerts.write', 'alerts.configure', 'fleet.write'],
  finance: ['metrics.read', 'accounts.read', 'budgets.write', 'exports.read', 'slos.write', 'alerts.write', 'fleet.write'],
  customer_success: ['metrics.read', 'accounts.read'],
  viewer: ['metrics.read', 'accounts.read'],
}

export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[]

export function can(role: Role, permission: TPermission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission)
}
