import 'server-only'
import { randomUUID } from 'node:crypto'
import type { PoolClient } from 'pg'
import { asOrg, inTransaction, pool } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { badRequest, notFound } from '@/lib/errors'
import { env } from '@/lib/env'
import { enqueueNotifications } from '@/lib/queues'
import { generateSecret } from '@/lib/notifications/sign'
import { isSealed, redactUrl, seal, sealNullable, tryOpen } from '@/lib/notifications/secrets'
import { webhookTargetProblem } from '@/lib/notifications/ssrf'
import { can } from '@/lib/auth/permissions'
import type { Role } from '@/generated/prisma/enums'
import type { DELIVERY_STATUSES, TChannelCreate, TChannelPatch, TChannelType, ZAttempt, ZChannel, ZDelivery } from '@/lib/notifications/schema'
import type { z } from 'zod'

// Notification channels of an organization and their delivery log. The
// organization id is in every statement; a delivery is loaded by organization,
// channel and id together. A webhook's URL and signing secret are stored sealed
// (lib/notifications/secrets.ts); readers without `reveal` (members other than
// admins and engineers, read-only keys) get the URL's scheme and host only and
// no hint of the secret, which is answered once, when made or rotated.

/** Who sees a webhook's whole URL and its secret's hint. */
export type TChannelView = { reveal: boolean }

/** Admins and engineers (alerts.configure), and API keys that may write, see whole URLs; everyone else a redacted view. */
export const channelViewOf = (org: { role: Role | null; scopes: readonly string[] }): TChannelView => ({
  reveal: org.role ? can(org.role, 'alerts.configure') : org.scopes.includes('write'),
})

export type TChannel = z.infer<typeof ZChannel>
export type TDeliveryStatus = (typeof DELIVERY_STATUSES)[number]
export type TAttempt = z.infer<typeof ZAttempt>
export type TDelivery = z.infer<typeof ZDelivery>

const COLUMNS = `c.id::text, c.name, c.type, c.url, c.emails, c.is_default, c.secret, c.created_at, c.updated_at,
  (SELECT json_build_object('status', d.status, 'at', coalesce(d.finished_at, d.created_at), 'status_code', d.last_status_code)
     FROM notification_deliveries d WHERE d.org_id = c.org_id AND d.channel_id = c.id ORDER BY d.id DESC LIMIT 1) AS last_delivery`

type TRow = {
  id: string
  name: string
  type: TChannelType
  url: string | null
  emails: string[]
  is_default: boolean
  secret: string | null
  created_at: Date
  updated_at: Date
  last_delivery: { status: TDeliveryStatus; at: string; status_code: number | null } | null
}

type TStored = Pick<TRow, 'id' | 'url' | 'secret'>

function toChannel(orgId: string, r: TRow, view: TChannelView): TChannel {
  // A value that does not open (the key changed) shows as null; its deliveries fail saying why.
  const plainUrl = r.url === null ? null : tryOpen(r.url, { orgId, channelId: r.id, field: 'url' })
  const secret = view.reveal && r.secret !== null ? tryOpen(r.secret, { orgId, channelId: r.id, field: 'secret' }) : null
  const url = plainUrl === null || view.reveal ? plainUrl : redactUrl(plainUrl)
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    url,
    url_redacted: !view.reveal && url !== null,
    emails: r.emails,
    is_default: r.is_default,
    secret_hint: view.reveal && secret ? `…${secret.slice(-4)}` : null,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    last_delivery: r.last_delivery ? { ...r.last_delivery, at: new Date(r.last_delivery.at).toISOString() } : null,
  }
}

export const emailConfigured = () => !!env().SMTP_URL

export async function listChannels(orgId: string, view: TChannelView): Promise<TChannel[]> {
  const r = await pool().query<TRow>(`SELECT ${COLUMNS} FROM notification_channels c WHERE c.org_id = $1 ORDER BY c.name, c.created_at`, [orgId])
  return r.rows.map((x) => toChannel(orgId, x, view))
}

export async function getChannel(orgId: string, id: string, view: TChannelView, client?: PoolClient): Promise<TChannel> {
  const r = await (client ?? pool()).query<TRow>(`SELECT ${COLUMNS} FROM notification_channels c WHERE c.org_id = $1 AND c.id = $2`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No channel ${id} in this organization`)
  return toChannel(orgId, r.rows[0], view)
}

/** A channel as the audit log keeps it: the URL cut to its host (a webhook URL may carry a token), no secret, no delivery state. */
async function auditView(c: PoolClient, orgId: string, id: string): Promise<Omit<TChannel, 'secret_hint' | 'last_delivery' | 'updated_at'>> {
  const { secret_hint: _s, last_delivery: _l, updated_at: _u, ...rest } = await getChannel(orgId, id, { reveal: false }, c)
  return rest
}

/** A webhook URL must reach a public host (lib/notifications/ssrf.ts): else a 400 naming the field. */
async function checkTarget(url: string): Promise<void> {
  const problem = await webhookTargetProblem(url)
  if (problem) throw badRequest('Invalid channel', { errors: [`url: ${problem}`] })
}

/** A webhook's secret is answered here once (and by a rotation); it is never read back. */
export async function createChannel(orgId: string, input: TChannelCreate): Promise<{ channel: TChannel; secret: string | null }> {
  if (input.url) await checkTarget(input.url)
  const id = randomUUID()
  const secret = input.type === 'webhook' ? generateSecret() : null
  await inTransaction(async (c) => {
    await c.query(`INSERT INTO notification_channels (id, org_id, name, type, url, secret, emails, is_default) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      id,
      orgId,
      input.name,
      input.type,
      sealNullable(input.url, { orgId, channelId: id, field: 'url' }),
      sealNullable(secret, { orgId, channelId: id, field: 'secret' }),
      input.emails ?? [],
      input.is_default,
    ])
    await recordAudit(c, orgId, { action: 'channel.create', target: { type: 'channel', id }, before: null, after: await auditView(c, orgId, id) })
  })
  return { channel: await getChannel(orgId, id, { reveal: true }), secret }
}

export async function updateChannel(orgId: string, id: string, patch: TChannelPatch): Promise<{ channel: TChannel; secret: string | null }> {
  const current = await getChannel(orgId, id, { reveal: false })
  if (patch.url !== undefined && current.type !== 'webhook') throw badRequest('Invalid channel', { errors: ['url: applies only to webhooks'] })
  if (patch.emails !== undefined && current.type !== 'email') throw badRequest('Invalid channel', { errors: ['emails: applies only to email channels'] })
  if (patch.rotate_secret && current.type !== 'webhook') throw badRequest('Invalid channel', { errors: ['rotate_secret: applies only to webhooks'] })
  if (patch.url !== undefined) await checkTarget(patch.url)
  const secret = patch.rotate_secret ? generateSecret() : null
  await inTransaction(async (c) => {
    const before = await auditView(c, orgId, id)
    await c.query(
      `UPDATE notification_channels SET name = coalesce($3, name), url = coalesce($4, url), emails = coalesce($5, emails), is_default = coalesce($6, is_default),
         secret = coalesce($7, secret), updated_at = now() WHERE org_id = $1 AND id = $2`,
      [
        orgId,
        id,
        patch.name ?? null,
        sealNullable(patch.url, { orgId, channelId: id, field: 'url' }),
        patch.emails ?? null,
        patch.is_default ?? null,
        sealNullable(secret, { orgId, channelId: id, field: 'secret' }),
      ],
    )
    const after = await auditView(c, orgId, id)
    await recordAudit(c, orgId, { action: secret ? 'channel.rotate_secret' : 'channel.update', target: { type: 'channel', id }, before, after })
  })
  return { channel: await getChannel(orgId, id, { reveal: true }), secret }
}

/**
 * Seal the URLs and secrets stored in plain text before encryption (the
 * worker runs it at start; running it again finds nothing). A row changed
 * meanwhile is left for the next run.
 */
export async function sealPlainChannelSecrets(): Promise<number> {
  // Each organization in turn (row-level security): organizations carry no tenant rows.
  const orgs = await pool().query<{ id: string }>('SELECT id::text FROM organizations ORDER BY id')
  let sealed = 0
  for (const { id: orgId } of orgs.rows) sealed += await asOrg(orgId, () => sealOrgChannelSecrets(orgId))
  return sealed
}

async function sealOrgChannelSecrets(orgId: string): Promise<number> {
  const r = await pool().query<{ org_id: string } & TStored>(
    `SELECT org_id::text, id::text, url, secret FROM notification_channels WHERE org_id = $1 AND (url NOT LIKE 'enc:v1:%' OR secret NOT LIKE 'enc:v1:%')`,
    [orgId],
  )
  let sealed = 0
  for (const row of r.rows) {
    const sealField = (v: string | null, field: 'url' | 'secret') => (v === null || isSealed(v) ? v : seal(v, { orgId: row.org_id, channelId: row.id, field }))
    const u = await pool().query(
      `UPDATE notification_channels SET url = $4, secret = $5 WHERE org_id = $1 AND id = $2 AND url IS NOT DISTINCT FROM $3 AND secret IS NOT DISTINCT FROM $6`,
      [row.org_id, row.id, row.url, sealField(row.url, 'url'), sealField(row.secret, 'secret'), row.secret],
    )
    sealed += u.rowCount ?? 0
  }
  return sealed
}

/** Deleting a channel takes it off the budgets that named it. */
export async function deleteChannel(orgId: string, id: string): Promise<void> {
  await inTransaction(async (c) => {
    const before = await auditView(c, orgId, id) // 404 when there is none
    await c.query(`DELETE FROM notification_channels WHERE org_id = $1 AND id = $2`, [orgId, id])
    await c.query(`UPDATE budgets SET channel_ids = array_remove(channel_ids, $2::uuid) WHERE org_id = $1 AND $2::uuid = ANY(channel_ids)`, [orgId, id])
    await recordAudit(c, orgId, { action: 'channel.delete', target: { type: 'channel', id }, before, after: null })
  })
}

/** Budgets name channels by id: every id must be a channel of this organization. */
export async function checkChannelIds(orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const r = await pool().query<{ id: string }>(`SELECT id::text FROM notification_channels WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, ids])
  const known = new Set(r.rows.map((x) => x.id))
  const missing = ids.filter((i) => !known.has(i))
  if (missing.length) throw badRequest('Invalid budget', { errors: missing.map((m) => `channel_ids: no channel ${m} in this organization`) })
}

// ------------------------------------------------------------- deliveries

const DELIVERY_SELECT = `SELECT d.id::text, d.channel_id::text, d.alert_id::text, coalesce(nullif(a.title, ''), b.name || ': ' || a.threshold || '% of the budget reached', 'test') AS subject,
    d.status, d.attempts, d.last_status_code, d.last_error, d.created_at, d.finished_at,
    coalesce((SELECT json_agg(json_build_object('attempt', t.attempt, 'ok', t.ok, 'status_code', t.status_code, 'duration_ms', t.duration_ms, 'error', t.error, 'at', t.at) ORDER BY t.attempt)
              FROM notification_attempts t WHERE t.delivery_id = d.id AND t.org_id = d.org_id), '[]') AS attempt_log
  FROM notification_deliveries d LEFT JOIN alerts a ON a.id = d.alert_id AND a.org_id = d.org_id LEFT JOIN budgets b ON b.id = a.budget_id`

function toDelivery(r: Record<string, never>): TDelivery {
  return {
    id: r.id,
    channel_id: r.channel_id,
    alert_id: r.alert_id,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    created_at: (r.created_at as Date).toISOString(),
    finished_at: (r.finished_at as Date | null)?.toISOString() ?? null,
    attempt_log: (r.attempt_log as TAttempt[]).map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
  }
}

/** The delivery log of a channel, newest first, with each attempt. */
export async function listDeliveries(orgId: string, channelId: string, limit = 50): Promise<TDelivery[]> {
  await getChannel(orgId, channelId, { reveal: false })
  const r = await pool().query(`${DELIVERY_SELECT} WHERE d.org_id = $1 AND d.channel_id = $2 ORDER BY d.id DESC LIMIT $3`, [orgId, channelId, limit])
  return r.rows.map(toDelivery)
}

export async function getDelivery(orgId: string, id: string): Promise<TDelivery> {
  const r = await pool().query(`${DELIVERY_SELECT} WHERE d.org_id = $1 AND d.id = $2`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No delivery ${id} in this organization`)
  return toDelivery(r.rows[0])
}

/** "Send test": a delivery with no alert, through the same queue, signature and log as a real one. */
export async function sendTest(orgId: string, channelId: string): Promise<TDelivery> {
  await getChannel(orgId, channelId, { reveal: false })
  const r = await pool().query<{ id: string }>(`INSERT INTO notification_deliveries (org_id, channel_id) VALUES ($1, $2) RETURNING id::text`, [
    orgId,
    channelId,
  ])
  await enqueueNotifications([{ orgId, deliveryId: r.rows[0].id }])
  return getDelivery(orgId, r.rows[0].id)
}

/**
 * The deliveries of alerts that fired (in the caller's transaction): a budget
 * alert goes to the channels its budget names, else, like drift alerts, to the
 * organization's default channels; muted alerts go nowhere. One row per alert ×
 * channel, so a second evaluation adds none.
 */
export async function createAlertDeliveries(
  c: PoolClient,
  orgId: string,
  alerts: { id: string; muted: boolean; budget_id: string | null }[],
): Promise<string[]> {
  const live = alerts.filter((a) => !a.muted)
  if (live.length === 0) return []
  const r = await c.query<{ id: string }>(
    `INSERT INTO notification_deliveries (org_id, channel_id, alert_id, level)
     SELECT $1, ch.id, a.id, coalesce(a.threshold, 0) FROM alerts a
       LEFT JOIN budgets b ON b.id = a.budget_id AND b.org_id = a.org_id
       JOIN notification_channels ch ON ch.org_id = a.org_id
        AND (CASE WHEN cardinality(coalesce(b.channel_ids, '{}')) > 0 THEN ch.id = ANY(b.channel_ids) ELSE ch.is_default END)
     WHERE a.org_id = $1 AND a.id = ANY($2::int8[]) AND NOT a.muted
     ON CONFLICT (alert_id, channel_id, level) DO NOTHING RETURNING id::text`,
    [orgId, live.map((a) => a.id)],
  )
  return r.rows.map((x) => x.id)
}

/** Deliveries still pending a while after they were made (Redis was away when they were queued): queue them again; the job id keeps one job each. */
export async function requeuePendingDeliveries(olderThanS = 60, now = new Date()): Promise<number> {
  // cross-org: every tenant's pending deliveries (SECURITY DEFINER function)
  const r = await pool().query<{ org_id: string; id: string }>(
    `SELECT org_id::text, id::text FROM outlay_pending_deliveries($1::timestamptz - make_interval(secs => $2), 1000)`,
    [now, olderThanS],
  )
  await enqueueNotifications(r.rows.map((x) => ({ orgId: x.org_id, deliveryId: x.id })))
  return r.rows.length
}
