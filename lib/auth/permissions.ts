import type { Role } from '@/generated/prisma/enums'

// The one role → permission map (PRODUCT.md "Who uses it", "Users and access"),
// read by API routes (withOrg's `permission`), dashboard pages (orgPage, from
// PAGE_PERMISSION below) and the navigation (components/layout/shell.tsx).
// Client-safe: no server imports (the Shell reads it in the browser).
export const PERMISSIONS = [
  /** spend by account, workflow and step: the metrics API, step medians, decision records */
  'spend.read',
  /** the Accounts pages (the tenant's own customers) */
  'accounts.read',
  /** the Workflows pages and their steps */
  'workflows.read',
  /** the organization-wide views: overview, features, what changed, budgets, alerts, forecast, reports, routing, evals, channels */
  'metrics.read',
  /** model prices, the catalog, price discrepancies, unpriced models, repricing jobs */
  'prices.read',
  /** the GPU fleet: pools and their prices, utilization, scenarios and their line items */
  'fleet.read',
  /** CSV exports (reports, tables) */
  'exports.read',
  'keys.manage',
  /** members and invitations */
  'members.manage',
  /** the ingestion queues (retry failed jobs) */
  'queues.manage',
  'prices.write',
  'budgets.write',
  /** routing policies (publish, rollback), routing defaults, evals */
  'routing.write',
  'slos.write',
  /** acknowledge and mute alerts */
  'alerts.write',
  /** drift detector settings and notification channels, whose URLs and secrets only these roles see */
  'alerts.configure',
  /** GPU pools (their GPU-hour prices) and utilization samples */
  'fleet.write',
  /** scenario line items (bills and other costs beside inference) */
  'line_items.write',
  /** provider and cloud bills: import and delete them (reconciliation reads them with metrics.read) */
  'bills.write',
  /** revenue per customer account (the margin after AI cost reads it with accounts.read) */
  'revenue.write',
  /** the organization's own settings (its time zone) */
  'org.manage',
] as const
export type TPermission = (typeof PERMISSIONS)[number]

const READ_ALL = ['spend.read', 'accounts.read', 'workflows.read', 'metrics.read', 'prices.read', 'fleet.read'] as const satisfies readonly TPermission[]

const ROLE_PERMISSIONS: Record<Role, readonly TPermission[]> = {
  admin: PERMISSIONS,
  // routing, budgets, prices, pools, keys
  engineer: [
    ...READ_ALL,
    'keys.manage',
    'prices.write',
    'budgets.write',
    'routing.write',
    'slos.write',
    'alerts.write',
    'alerts.configure',
    'fleet.write',
    'line_items.write',
  ],
  // reads everything; budgets, forecasts, exports, line items; never model or GPU prices
  finance: [...READ_ALL, 'exports.read', 'budgets.write', 'slos.write', 'alerts.write', 'line_items.write', 'bills.write', 'revenue.write'],
  // accounts and workflows and their spend; no prices, fleet or keys configuration
  customer_success: ['spend.read', 'accounts.read', 'workflows.read'],
  viewer: READ_ALL,
}

export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[]

export function can(role: Role, permission: TPermission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission)
}

/** The roles that hold a permission, in ROLES order. */
export function rolesWith(permission: TPermission): Role[] {
  return ROLES.filter((r) => can(r, permission))
}

// ─── pages ────────────────────────────────────────────────────────────────────
/** What each dashboard section (/<org>/<section>/…) needs; its sub-pages need the same. */
export const PAGE_PERMISSION = {
  overview: 'metrics.read',
  workflows: 'workflows.read',
  features: 'metrics.read',
  accounts: 'accounts.read',
  changes: 'metrics.read',
  // the individual calls: what a member who reads spend by account and workflow drills down to
  calls: 'spend.read',
  // an organization-wide view, as routing (its API: any member, PRODUCT.md "Opportunities")
  opportunities: 'metrics.read',
  budgets: 'metrics.read',
  alerts: 'metrics.read',
  forecast: 'metrics.read',
  reports: 'metrics.read',
  routing: 'metrics.read',
  fleet: 'fleet.read',
  pricing: 'prices.read',
  settings: 'keys.manage',
  admin: 'queues.manage',
} as const satisfies Record<string, TPermission>
export type TPage = keyof typeof PAGE_PERMISSION
export const PAGES = Object.keys(PAGE_PERMISSION) as TPage[]

/** The permission a dashboard path (`/<org>/<section>/…`) needs; null for a path outside the sections. */
export function pagePermission(path: string): TPermission | null {
  const section = path.split('?')[0].split('/').filter(Boolean)[1]
  return section && Object.hasOwn(PAGE_PERMISSION, section) ? PAGE_PERMISSION[section as TPage] : null
}

export function canOpen(role: Role, page: TPage): boolean {
  return can(role, PAGE_PERMISSION[page])
}

/** Where a member lands (after sign-in, from the organization's root): what their persona comes to. */
const LANDING: Record<Role, TPage> = { admin: 'overview', engineer: 'overview', finance: 'overview', customer_success: 'accounts', viewer: 'overview' }

export function landingPage(role: Role): TPage {
  const page = LANDING[role]
  return canOpen(role, page) ? page : (PAGES.find((p) => canOpen(role, p)) ?? 'overview')
}

/** The path of a member's landing page in an organization (sign-in, the organization's root, a just-accepted invitation). */
export function landingPath(orgSlug: string, role: Role): string {
  return `/${orgSlug}/${landingPage(role)}`
}

/** "engineer or admin": who holds a permission, for "You need the … role". */
export function rolesSentence(permission: TPermission): string {
  const names = rolesWith(permission)
    .filter((r) => r !== 'admin')
    .map((r) => r.replace('_', ' '))
  names.push('admin')
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}
