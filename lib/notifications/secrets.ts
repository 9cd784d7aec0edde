import 'server-only'
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { env, keyBytes } from '@/lib/env'

// Channel secrets at rest: a webhook's URL (it may carry credentials or a
// token) and its signing secret (and the gateway's upstream API keys) are stored sealed with AES-256-GCM under
// CHANNEL_SECRETS_KEY (else a key derived from NEXTAUTH_SECRET). The
// additional data binds a sealed value to its organization, channel and
// column, so a value copied to another row does not open. Values written
// before encryption (plain text) still read; the worker seals them at start.

const PREFIX = 'enc:v1:'

let cachedKey: { source: string; key: Buffer } | undefined

function key(): Buffer {
  const e = env()
  const source = e.CHANNEL_SECRETS_KEY ?? `nextauth:${e.NEXTAUTH_SECRET}`
  if (cachedKey?.source !== source) {
    const key = e.CHANNEL_SECRETS_KEY
      ? keyBytes(e.CHANNEL_SECRETS_KEY)!
      : Buffer.from(hkdfSync('sha256', e.NEXTAUTH_SECRET, 'outlay', 'notification-channel-secrets', 32))
    cachedKey = { source, key }
  }
  return cachedKey.key
}

// channelId: the row the value belongs to (a notification channel, or a gateway provider for its upstream key)
export type TSealContext = { orgId: string; channelId: string; field: 'url' | 'secret' | 'upstream_key' }
const aad = (c: TSealContext) => Buffer.from(`${c.orgId}:${c.channelId}:${c.field}`)

export const isSealed = (stored: string) => stored.startsWith(PREFIX)

export function seal(plain: string, c: TSealContext): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key(), iv)
  cipher.setAAD(aad(c))
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return `${PREFIX}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`
}

/** The plain value of a stored one (sealed, or plain from before encryption); throws when the key or context is wrong. */
export function open(stored: string, c: TSealContext): string {
  if (!isSealed(stored)) return stored
  const [iv, tag, ct] = stored.slice(PREFIX.length).split('.')
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'))
  decipher.setAAD(aad(c))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
}

/** Like open, but null when the value does not open (another key, another row's value): a list must still show the other channels. */
export function tryOpen(stored: string, c: TSealContext): string | null {
  try {
    return open(stored, c)
  } catch {
    return null
  }
}

export const UNREADABLE = 'cannot be decrypted: was CHANNEL_SECRETS_KEY (or NEXTAUTH_SECRET, without it) changed since the channel was saved?'

export const sealNullable = (v: string | null | undefined, c: TSealContext) => (v == null ? null : seal(v, c))

/** What members without alerts.configure see of a webhook URL: scheme and host, nothing that may carry a credential. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}/…`
  } catch {
    return '…'
  }
}
