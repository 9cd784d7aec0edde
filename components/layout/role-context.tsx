'use client'
import { createContext, useContext, type ReactNode } from 'react'
import type { Role } from '@/generated/prisma/enums'
import { can, type TPermission } from '@/lib/auth/permissions'

// The signed-in member's role in the page's organization, for the controls a page
// shows or hides (the "Export CSV" buttons). The API checks the same map again.
const RoleContext = createContext<Role | null>(null)

export function RoleProvider({ role, children }: { role: Role; children: ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>
}

/** Whether the member may do this; false outside a dashboard page. */
export function useCan(permission: TPermission): boolean {
  const role = useContext(RoleContext)
  return role !== null && can(role, permission)
}
