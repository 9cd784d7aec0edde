import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENDPOINTS } from '@/lib/api/endpoints'
import {
  can,
  canOpen,
  landingPage,
  landingPath,
  PAGE_PERMISSION,
  PAGES,
  pagePermission,
  PERMISSIONS,
  ROLES,
  rolesSentence,
  type TPermission,
} from '@/lib/auth/permissions'

// The one permission map, printed as tables (role × permission, page × role) and
// held to what each persona needs (PRODUCT.md "Who uses it", "Users and access").

const ROOT = path.resolve(import.meta.dirname, '../..')
const ABBR: Record<string, string> = { admin: 'admin', engineer: 'engineer', finance: 'finance', customer_success: 'cust.succ', viewer: 'viewer' }
const mark = (yes: boolean) => (yes ? 'x' : '.')

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(fmt)].join('\n')
}

const rolePermissionTable = () =>
  table(
    ['permission', ...ROLES.map((r) => ABBR[r])],
    PERMISSIONS.map((p) => [p, ...ROLES.map((r) => mark(can(r, p)))]),
  )
const pageRoleTable = () =>
  table(
    ['page', 'needs', ...ROLES.map((r) => ABBR[r])],
    PAGES.map((p) => [p, PAGE_PERMISSION[p], ...ROLES.map((r) => mark(canOpen(r, p)))]),
  )

const WRITES = PERMISSIONS.filter((p) => /\.(write|manage|configure)$/.test(p))
const granted = (role: (typeof ROLES)[number]) => PERMISSIONS.filter((p) => can(role, p))

describe('the permission map', () => {
  it('role × permission', () => {
    const t = rolePermissionTable()
    console.log(`role × permission\n${t}`)
    expect(t).toBe(
      `
| permission       | admin | engineer | finance | cust.succ | viewer |
|------------------|-------|----------|---------|-----------|--------|
| spend.read       | x     | x        | x       | x         | x      |
| accounts.read    | x     | x        | x       | x         | x      |
| workflows.read   | x     | x        | x       | x         | x      |
| metrics.read     | x     | x        | x       | .         | x      |
| prices.read      | x     | x        | x       | .         | x      |
| fleet.read       | x     | x        | x       | .         | x      |
| exports.read     | x     | .        | x       | .         | .      |
| keys.manage      | x     | x        | .       | .         | .      |
| members.manage   | x     | .        | .       | .         | .      |
| queues.manage    | x     | .        | .       | .         | .      |
| prices.write     | x     | x        | .       | .         | .      |
| budgets.write    | x     | x        | x       | .         | .      |
| routing.write    | x     | x        | .       | .         | .      |
| slos.write       | x     | x        | x       | .         | .      |
| alerts.write     | x     | x        | x       | .         | .      |
| alerts.configure | x     | x        | .       | .         | .      |
| fleet.write      | x     | x        | .       | .         | .      |
| line_items.write | x     | x        | x       | .         | .      |
| bills.write      | x     | .        | x       | .         | .      |
| revenue.write    | x     | .        | x       | .         | .      |
| org.manage       | x     | .        | .       | .         | .      |`.trimStart(),
    )
  })

  it('page × role', () => {
    const t = pageRoleTable()
    console.log(`page × role\n${t}`)
    expect(t).toBe(
      `
| page          | needs          | admin | engineer | finance | cust.succ | viewer |
|---------------|----------------|-------|----------|---------|-----------|--------|
| overview      | metrics.read   | x     | x        | x       | .         | x      |
| workflows     | workflows.read | x     | x        | x       | x         | x      |
| features      | metrics.read   | x     | x        | x       | .         | x      |
| accounts      | accounts.read  | x     | x        | x       | x         | x      |
| changes       | metrics.read   | x     | x        | x       | .         | x      |
| calls         | spend.read     | x     | x        | x       | x         | x      |
| opportunities | metrics.read   | x     | x        | x       | .         | x      |
| budgets       | metrics.read   | x     | x        | x       | .         | x      |
| alerts        | metrics.read   | x     | x        | x       | .         | x      |
| forecast      | metrics.read   | x     | x        | x       | .         | x      |
| reports       | metrics.read   | x     | x        | x       | .         | x      |
| routing       | metrics.read   | x     | x        | x       | .         | x      |
| fleet         | fleet.read     | x     | x        | x       | .         | x      |
| pricing       | prices.read    | x     | x        | x       | .         | x      |
| settings      | keys.manage    | x     | x        | .       | .         | .      |
| admin         | queues.manage  | x     | .        | .       | .         | .      |`.trimStart(),
    )
  })

  it('admin: everything', () => {
    expect(granted('admin')).toEqual([...PERMISSIONS])
    expect(PAGES.every((p) => canOpen('admin', p))).toBe(true)
  })

  it('finance reads everything, exports, edits budgets and line items; never model prices, GPU pools or routing', () => {
    for (const p of PERMISSIONS.filter((x) => x.endsWith('.read'))) expect(can('finance', p), p).toBe(true)
    for (const p of ['budgets.write', 'line_items.write', 'bills.write', 'exports.read'] as const) expect(can('finance', p), p).toBe(true)
    for (const p of ['prices.write', 'fleet.write', 'routing.write', 'keys.manage', 'members.manage', 'alerts.configure'] as const)
      expect(can('finance', p), p).toBe(false)
    expect(landingPage('finance')).toBe('overview')
  })

  it('customer success: accounts, workflows and their spend; no prices, fleet or keys configuration; lands on Accounts', () => {
    expect(granted('customer_success')).toEqual(['spend.read', 'accounts.read', 'workflows.read'])
    for (const p of ['prices.read', 'fleet.read', 'keys.manage', 'exports.read'] as const) expect(can('customer_success', p), p).toBe(false)
    expect(PAGES.filter((p) => canOpen('customer_success', p))).toEqual(['workflows', 'accounts', 'calls'])
    expect(landingPage('customer_success')).toBe('accounts')
  })

  it('engineers edit routing, prices, pools and keys; they do not manage members', () => {
    for (const p of ['routing.write', 'prices.write', 'fleet.write', 'keys.manage', 'budgets.write', 'alerts.configure'] as const)
      expect(can('engineer', p), p).toBe(true)
    expect(can('engineer', 'members.manage')).toBe(false)
  })

  it('viewers read and write nothing', () => {
    expect(WRITES.length).toBeGreaterThan(5)
    for (const p of WRITES) expect(can('viewer', p), p).toBe(false)
    expect(can('viewer', 'exports.read')).toBe(false)
    for (const p of ['metrics.read', 'prices.read', 'fleet.read', 'accounts.read', 'workflows.read'] as const) expect(can('viewer', p), p).toBe(true)
  })

  it('every role lands on a page it can open', () => {
    for (const r of ROLES) expect(canOpen(r, landingPage(r)), r).toBe(true)
  })

  it('the landing path in an organization (where a just-accepted invitation goes): customer success on Accounts, not the overview it cannot open', () => {
    expect(landingPath('acme', 'customer_success')).toBe('/acme/accounts')
    expect(landingPath('acme', 'finance')).toBe('/acme/overview')
    for (const r of ROLES) expect(pagePermission(landingPath('acme', r)), r).toSatisfy((p: TPermission) => can(r, p))
  })

  it("a page's sub-pages need its permission; a path outside the sections needs none from the map", () => {
    expect(pagePermission('/acme/workflows/support/steps/retrieve')).toBe('workflows.read')
    expect(pagePermission('/acme/fleet/scenarios?month=2026-11')).toBe('fleet.read')
    expect(pagePermission('/acme/reports/audit')).toBe('metrics.read')
    expect(pagePermission('/acme')).toBeNull()
    expect(pagePermission('/acme/toString')).toBeNull()
  })

  it('names who holds a permission, admin last', () => {
    expect(rolesSentence('prices.write')).toBe('engineer or admin')
    expect(rolesSentence('fleet.write')).toBe('engineer or admin') // the empty GPU fleet page names them to a finance member
    expect(rolesSentence('exports.read')).toBe('finance or admin')
    expect(rolesSentence('queues.manage')).toBe('admin')
    expect(rolesSentence('metrics.read')).toBe('engineer, finance, viewer or admin')
  })

  it("every dashboard section on disk is in the map, and the navigation gives each entry its page's permission", () => {
    const dir = path.join(ROOT, 'app/(dashboard)/[org]')
    const sections = readdirSync(dir)
      .filter((n) => statSync(path.join(dir, n)).isDirectory())
      .sort()
    expect(sections).toEqual([...PAGES].sort())
    const shell = readFileSync(path.join(ROOT, 'components/layout/shell.tsx'), 'utf8')
    const entries = [...shell.matchAll(/\{ href: '(\w+)', label: '[^']+', group: '\w+',(?: analytics: true,)? permission: PAGE_PERMISSION\.(\w+) \}/g)].map(
      (m) => [m[1], m[2]],
    )
    expect(entries.map(([href]) => href).sort()).toEqual([...PAGES].sort())
    for (const [href, key] of entries) expect(key, `NAV entry ${href}`).toBe(href)
  })

  it('every API route declares a permission of the map', () => {
    const files: string[] = []
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n)
        if (statSync(p).isDirectory()) walk(p)
        else if (n === 'route.ts') files.push(p)
      }
    }
    walk(path.join(ROOT, 'app/api/v1'))
    // declared endpoints (lib/<capability>/api.ts), and any route still written with the undeclared form
    const declared = ENDPOINTS.map((e): string | null => e.permission).filter((p): p is string => p !== null && p !== 'public')
    const undeclared = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/permission: '([\w.]+)'/g)].map((m) => m[1]))
    expect(declared.length).toBeGreaterThan(40)
    for (const p of [...declared, ...undeclared]) expect(PERMISSIONS as readonly string[], p).toContain(p as TPermission)
  })
})
