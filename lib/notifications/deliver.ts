import 'server-only'
import { formatDateTime, formatUsd } from '@/lib/format'
import http from 'node:http'
import https from 'node:https'
import { pool } from '@/lib/db'
import { env } from '@/lib/env'
import { sendMail, smtpConfigured } from '@/lib/notifications/mail'
import { getAlert, type TAlert } from '@/lib/alerts'
import { alertPath } from '@/lib/alerts/view'
import { SIGNATURE_HEADER, signatureHeader } from '@/lib/notifications/sign'
import { tryOpen, UNREADABLE } from '@/lib/notifications/secrets'
import { guardedLookup, literalTargetProblem, UnsafeWebhookTarget } from '@/lib/notifications/ssrf'

// One try of one delivery (queue "notifications", workers/processors/notifications.ts).
// Safe to run twice: a delivery no longer pending is skipped, and an attempt is
// logged under its number once.

export type TWebhookBody = {
  type: 'alert' | 'test'
  delivery_id: string
  organization: { id: string; slug: string; name: string }
  /** null for a test */
  alert: (TAlert & { url: string | null }) | null
  sent_at: string
}

type TTarget = {
  org_id: string
  id: string
  alert_id: string | null
  status: string
  type: 'webhook' | 'email'
  url: string | null
  secret: string | null
  emails: string[]
  channel_name: string
  slug: string
  org_name: string
  /** the stored URL or secret did not decrypt */
  unreadable?: boolean
}

export type TTryResult = { outcome: 'delivered' | 'retry' | 'failed' | 'skipped'; status_code: number | null; error: string | null }

const WEBHOOK_TIMEOUT_MS = 10_000

async function loadTarget(orgId: string, deliveryId: string): Promise<TTarget | null> {
  const r = await pool().query<TTarget & { channel_id: string }>(
    `SELECT d.org_id::text, d.id::text, d.alert_id::text, d.status, d.channel_id::text, c.type, c.url, c.secret, c.emails, c.name AS channel_name, o.slug, o.name AS org_name
     FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id AND c.org_id = d.org_id JOIN organizations o ON o.id = d.org_id
     WHERE d.org_id = $1 AND d.id = $2`,
    [orgId, deliveryId],
  )
  const t = r.rows[0]
  if (!t) return null
  const ctx = { orgId: t.org_id, channelId: t.channel_id }
  const url = t.url === null ? null : tryOpen(t.url, { ...ctx, field: 'url' })
  const secret = t.secret === null ? null : tryOpen(t.secret, { ...ctx, field: 'secret' })
  return { ...t, url, secret, unreadable: (t.url !== null && url === null) || (t.secret !== null && secret === null) }
}

export async function buildBody(t: TTarget, now: Date): Promise<TWebhookBody> {
  const alert = t.alert_id ? await getAlert(t.org_id, t.alert_id) : null
  const base = env().NEXTAUTH_URL?.replace(/\/$/, '') ?? null
  return {
    type: alert ? 'alert' : 'test',
    delivery_id: t.id,
    organization: { id: t.org_id, slug: t.slug, name: t.org_name },
    alert: alert ? { ...alert, url: base ? base + alertPath(t.slug, alert) : null } : null,
    sent_at: now.toISOString(),
  }
}

type TSent = { ok: boolean; status_code: number | null; error: string | null; permanent?: boolean }

/** POST the body and answer the status code; the connection goes only to an address guardedLookup checked (unless private targets are allowed). */
function post(url: URL, body: string, headers: Record<string, string>, allowPrivate: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const literal = literalTargetProblem(url, allowPrivate)
    if (literal) return reject(literal)
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent: false,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        lookup: allowPrivate ? undefined : guardedLookup,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        resolve(res.statusCode ?? 0)
        res.destroy() // the answer's body is not read; redirects are not followed (a 3xx is a failed try)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

export async function sendWebhook(
  t: Pick<TTarget, 'id' | 'url' | 'secret' | 'alert_id'>,
  body: string,
  now: Date,
  allowPrivate = env().WEBHOOK_ALLOW_PRIVATE_TARGETS,
): Promise<TSent> {
  try {
    const status = await post(
      new URL(t.url!),
      body,
      {
        'content-type': 'application/json',
        'user-agent': 'Outlay-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(t.secret!, body, now),
        'Outlay-Delivery': t.id,
        'Outlay-Event': t.alert_id ? 'alert' : 'test',
      },
      allowPrivate,
    )
    const ok = status >= 200 && status < 300
    return { ok, status_code: status, error: ok ? null : `HTTP ${status}` }
  } catch (e) {
    const err = e as Error & { code?: string; cause?: Error }
    // A private target is not retried: the same name would be refused again (and trying again is what a rebinding attack wants).
    const unsafe = err instanceof UnsafeWebhookTarget ? err : err.cause instanceof UnsafeWebhookTarget ? err.cause : null
    if (unsafe) return { ok: false, status_code: null, error: `refused: ${unsafe.message}`, permanent: true }
    const timeout = err.name === 'TimeoutError' || err.name === 'AbortError' || err.cause?.name === 'TimeoutError'
    return { ok: false, status_code: null, error: timeout ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : (err.code ?? err.message) }
  }
}

export function emailText(b: TWebhookBody): { subject: string; text: string } {
  if (!b.alert)
    return { subject: '[Outlay] Test notification', text: `This is a test from Outlay for ${b.organization.name}. Alerts will arrive at this address.\n` }
  const a = b.alert
  const lines = [a.title, '', `Kind: ${a.kind.replaceAll('_', ' ')}`, `Fired: ${formatDateTime(a.fired_at)}`]
  if (a.actual_usd !== null)
    lines.push(
      `Measured: ${formatUsd(a.actual_usd)}${a.amount_usd !== null ? ` (${a.kind === 'budget' ? 'budget' : 'baseline'} ${formatUsd(a.amount_usd)})` : ''}`,
    )
  if (a.url) lines.push('', `Details: ${a.url}`)
  return { subject: `[Outlay] ${a.state === 'exceeded' ? 'Exceeded' : 'Alert'}: ${a.title}`.slice(0, 200), text: lines.join('\n') + '\n' }
}

async function sendEmail(t: TTarget, b: TWebhookBody): Promise<TSent> {
  if (!smtpConfigured()) return { ok: false, status_code: null, error: 'email is not configured: set SMTP_URL on the workers', permanent: true }
  try {
    const { subject, text } = emailText(b)
    await sendMail({ to: t.emails, subject, text, headers: { 'Outlay-Delivery': t.id } })
    return { ok: true, status_code: null, error: null }
  } catch (e) {
    const err = e as Error & { responseCode?: number }
    return { ok: false, status_code: err.responseCode ?? null, error: err.message.slice(0, 500) }
  }
}

/** Try a delivery once (attempt n of max): log the attempt, finish it when sent or out of tries, else ask for a retry. */
export async function tryDelivery(orgId: string, deliveryId: string, attempt: number, maxAttempts: number, now = new Date()): Promise<TTryResult> {
  const t = await loadTarget(orgId, deliveryId)
  if (!t || t.status !== 'pending') return { outcome: 'skipped', status_code: null, error: null }
  const body = await buildBody(t, now)
  const started = performance.now()
  const sent: TSent = t.unreadable
    ? { ok: false, status_code: null, error: `the channel's URL or secret ${UNREADABLE}`, permanent: true }
    : t.type === 'webhook'
      ? await sendWebhook(t, JSON.stringify(body), now)
      : await sendEmail(t, body)
  const duration = Math.round(performance.now() - started)
  const last = sent.ok || attempt >= maxAttempts || !!sent.permanent
  const status = sent.ok ? 'delivered' : last ? 'failed' : 'pending'
  await pool().query(
    `INSERT INTO notification_attempts (org_id, delivery_id, attempt, status_code, ok, duration_ms, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (delivery_id, attempt) DO UPDATE SET status_code = EXCLUDED.status_code, ok = EXCLUDED.ok, duration_ms = EXCLUDED.duration_ms, error = EXCLUDED.error, at = EXCLUDED.at`,
    [orgId, deliveryId, attempt, sent.status_code, sent.ok, duration, sent.error, now],
  )
  await pool().query(
    `UPDATE notification_deliveries SET status = $3, attempts = greatest(attempts, $4), last_status_code = $5, last_error = $6, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $7::timestamptz END
     WHERE org_id = $1 AND id = $2 AND status = 'pending'`,
    [orgId, deliveryId, status, attempt, sent.status_code, sent.error, now],
  )
  return { outcome: status === 'pending' ? 'retry' : status, status_code: sent.status_code, error: sent.error }
}
