import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { channelViewOf, sealPlainChannelSecrets, sendTest } from '@/lib/notifications/channels'
import { tryDelivery } from '@/lib/notifications/deliver'
import { verifySignature } from '@/lib/notifications/sign'
import { GET as listChannelsRoute, POST as postChannel } from '@/app/api/v1/channels/route'
import { GET as getChannelRoute, PATCH as patchChannel } from '@/app/api/v1/channels/[id]/route'

// A webhook's URL (which may carry credentials) and signing secret are stored
// encrypted (AES-256-GCM); the secret is answered once, when made or rotated;
// admins, engineers and write keys see the whole URL, everyone else its host;
// channels stored in plain text before keep working and are sealed by the
// worker's start-up pass.

let orgId = ''
let readKey = ''
let writeKey = ''
let server: Server
let base = ''
const got: { headers: IncomingHttpHeaders; body: string; url: string }[] = []
const params = (id: string) => ({ params: Promise.resolve({ id }) })

beforeAll(async () => {
  await useTestServices('channel-secrets')
  orgId = (await createOrgWithAdmin({ org_name: 'Secret Co', email: 'secret@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      got.push({ headers: req.headers, body, url: req.url ?? '' })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.close()
  await closeQueues()
  await closeDb()
})

async function deliverTest(channelId: string) {
  const d = await sendTest(orgId, channelId)
  expect((await tryDelivery(orgId, d.id, 1, 1)).outcome).toBe('delivered')
  return got[got.length - 1]
}

describe('channel secrets at rest', () => {
  let id = ''
  let secret = ''
  const url = () => `${base.replace('http://', 'http://hook-user:pa55word@')}/hooks/T123?token=tok-42`

  it('stores the URL and the secret encrypted; the secret is answered once', async () => {
    const res = await postChannel(apiRequest('/api/v1/channels', { key: writeKey, body: { name: 'ops', type: 'webhook', url: url() } }))
    expect(res.status).toBe(201)
    const body = await res.json()
    ;({ secret } = body)
    id = body.channel.id
    expect(secret).toMatch(/^whsec_/)
    expect(body.channel).toMatchObject({ url: url(), url_redacted: false, secret_hint: `…${secret.slice(-4)}` })
    expect(JSON.stringify(body.channel)).not.toContain(secret)

    const [row] = (await ownerPool().query(`SELECT url, secret FROM notification_channels WHERE id = $1`, [id])).rows
    expect(row.url).toMatch(/^enc:v1:/)
    expect(row.secret).toMatch(/^enc:v1:/)
    for (const plain of ['pa55word', 'tok-42', 'hooks/T123', secret, secret.slice(-8)]) expect(JSON.stringify(row)).not.toContain(plain)

    // delivered to the whole URL, signed with the secret
    const r = await deliverTest(id)
    expect(r.url).toBe('/hooks/T123?token=tok-42')
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:pa55word').toString('base64')}`)
    expect(verifySignature(secret, r.headers['outlay-signature'] as string, r.body)).toBe(true)
  })

  it('read keys (like viewers) see the host only and no hint of the secret; write keys see the whole URL; nobody reads the secret back', async () => {
    const asReader = (await (await listChannelsRoute(apiRequest('/api/v1/channels', { key: readKey }))).json()).channels[0]
    expect(asReader).toMatchObject({ id, url: `${base}/…`, url_redacted: true, secret_hint: null })
    const one = (await (await getChannelRoute(apiRequest(`/api/v1/channels/${id}`, { key: readKey }), params(id))).json()).channel
    expect(JSON.stringify(one)).not.toMatch(/pa55word|tok-42|T123|whsec_/)
    const asWriter = (await (await getChannelRoute(apiRequest(`/api/v1/channels/${id}`, { key: writeKey }), params(id))).json()).channel
    expect(asWriter).toMatchObject({ url: url(), url_redacted: false, secret_hint: `…${secret.slice(-4)}` })
    expect(JSON.stringify(asWriter)).not.toContain(secret)
  })

  it('by role: admins and engineers see whole URLs; finance, customer success and viewers do not', () => {
    const seen = (['admin', 'engineer', 'finance', 'customer_success', 'viewer'] as const).map((role) => [role, channelViewOf({ role, scopes: [] }).reveal])
    expect(seen).toEqual([
      ['admin', true],
      ['engineer', true],
      ['finance', false],
      ['customer_success', false],
      ['viewer', false],
    ])
    expect(channelViewOf({ role: null, scopes: ['read'] }).reveal).toBe(false)
    expect(channelViewOf({ role: null, scopes: ['read', 'write'] }).reveal).toBe(true)
  })

  it('a rotation answers the new secret once, stores it sealed, and signs with it', async () => {
    const res = await patchChannel(apiRequest(`/api/v1/channels/${id}`, { key: writeKey, method: 'PATCH', body: { rotate_secret: true } }), params(id))
    const body = await res.json()
    expect(body.secret).toMatch(/^whsec_/)
    expect(body.secret).not.toBe(secret)
    const [row] = (await ownerPool().query(`SELECT secret FROM notification_channels WHERE id = $1`, [id])).rows
    expect(row.secret).toMatch(/^enc:v1:/)
    const r = await deliverTest(id)
    expect(verifySignature(body.secret, r.headers['outlay-signature'] as string, r.body)).toBe(true)
    expect(verifySignature(secret, r.headers['outlay-signature'] as string, r.body)).toBe(false)
  })

  it('channels stored in plain text before encryption still deliver, and are sealed once by the start-up pass', async () => {
    const legacy = randomUUID()
    await ownerPool().query(
      `INSERT INTO notification_channels (id, org_id, name, type, url, secret, emails, is_default) VALUES ($1, $2, 'legacy', 'webhook', $3, 'whsec_legacy-secret', '{}', false)`,
      [legacy, orgId, `${base}/legacy`],
    )
    const before = await deliverTest(legacy)
    expect(before.url).toBe('/legacy')
    expect(verifySignature('whsec_legacy-secret', before.headers['outlay-signature'] as string, before.body)).toBe(true)

    expect(await sealPlainChannelSecrets()).toBe(1)
    const [row] = (await ownerPool().query(`SELECT url, secret FROM notification_channels WHERE id = $1`, [legacy])).rows
    expect(row.url).toMatch(/^enc:v1:/)
    expect(row.secret).toMatch(/^enc:v1:/)
    expect(await sealPlainChannelSecrets()).toBe(0)
    const after = await deliverTest(legacy)
    expect(after.url).toBe('/legacy')
    expect(verifySignature('whsec_legacy-secret', after.headers['outlay-signature'] as string, after.body)).toBe(true)
  })

  it('a sealed value copied to another channel does not open there: listed without its URL, its deliveries fail saying why', async () => {
    const other = randomUUID()
    await ownerPool().query(
      `INSERT INTO notification_channels (id, org_id, name, type, url, secret, emails, is_default) SELECT $1, org_id, 'copy', type, url, secret, emails, false FROM notification_channels WHERE id = $2`,
      [other, id],
    )
    const listed = (await (await getChannelRoute(apiRequest(`/api/v1/channels/${other}`, { key: writeKey }), params(other))).json()).channel
    expect(listed).toMatchObject({ url: null, secret_hint: null })
    const d = await sendTest(orgId, other)
    const sentBefore = got.length
    expect(await tryDelivery(orgId, d.id, 1, 6)).toEqual({
      outcome: 'failed',
      status_code: null,
      error: expect.stringMatching(/^the channel's URL or secret cannot be decrypted/),
    })
    expect(got.length).toBe(sentBefore)
  })
})
