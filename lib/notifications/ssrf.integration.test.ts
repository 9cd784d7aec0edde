import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import dns from 'node:dns'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { getDelivery } from '@/lib/notifications/channels'
import { sendWebhook, tryDelivery } from '@/lib/notifications/deliver'
import { webhookTargetProblem } from '@/lib/notifications/ssrf'
import { POST as postChannel } from '@/app/api/v1/channels/route'
import { PATCH as patchChannel } from '@/app/api/v1/channels/[id]/route'
import { POST as testChannel } from '@/app/api/v1/channels/[id]/test/route'

// Webhooks and SSRF with private targets refused (WEBHOOK_ALLOW_PRIVATE_TARGETS
// off, as in production): URLs that reach this machine, its network or the
// cloud metadata address are refused when the channel is made or changed, and
// a name that passed the check but resolves to a private address when the
// delivery connects (DNS rebinding) is refused then, without a retry. A local
// receiver shows nothing reached it — and that the setting lets it through.

let writeKey = ''
let orgId = ''
let server: Server
let port = 0
let hits = 0
const PUBLIC = '93.184.216.34'

beforeAll(async () => {
  await useTestServices('ssrf')
  process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'false'
  orgId = (await createOrgWithAdmin({ org_name: 'SSRF Co', email: 'ssrf@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  server = createServer((_req, res) => {
    hits++
    res.writeHead(200).end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterEach(() => vi.restoreAllMocks())
afterAll(async () => {
  server.close()
  await closeQueues()
  await closeDb()
})

const create = (url: string) => postChannel(apiRequest('/api/v1/channels', { key: writeKey, body: { name: `hook ${url}`, type: 'webhook', url } }))
const errorsOf = async (res: Response) => (await res.json()).error.details.errors as string[]

/** The resolver answers `rebind.example.com` with a public address first and with this machine's afterwards, as a rebinding DNS server would. */
function rebinding() {
  const realLookup = dns.lookup
  vi.spyOn(dns.promises, 'lookup').mockImplementation((async (host: string, opts: object) => {
    return host === 'rebind.example.com' ? [{ address: PUBLIC, family: 4 }] : dns.promises.lookup(host, opts as dns.LookupAllOptions)
  }) as typeof dns.promises.lookup)
  vi.spyOn(dns, 'lookup').mockImplementation(((host: string, opts: dns.LookupOptions, cb: (...a: unknown[]) => void) => {
    if (host !== 'rebind.example.com') return realLookup(host, opts, cb as never)
    const answer = [{ address: '127.0.0.1', family: 4 }]
    process.nextTick(() => (opts.all ? cb(null, answer) : cb(null, '127.0.0.1', 4)))
  }) as typeof dns.lookup)
}

describe('webhook targets (SSRF)', () => {
  it('refuses loopback, private, link-local and metadata URLs when a channel is made, naming the field and the reason', async () => {
    for (const [url, reason] of [
      [
        `http://127.0.0.1:${port}/hook`,
        '127.0.0.1 resolves to 127.0.0.1, a loopback, private, link-local or metadata address: webhooks must reach a public host',
      ],
      [`http://localhost:${port}/hook`, 'localhost resolves to'],
      ['http://169.254.169.254/latest/meta-data/iam/', '169.254.169.254 resolves to 169.254.169.254'],
      ['http://10.1.2.3/hook', '10.1.2.3 resolves to 10.1.2.3'],
      [`http://[::1]:${port}/hook`, '::1 resolves to ::1'],
      ['http://[::ffff:192.168.0.10]/hook', 'resolves to'],
      ['https://no-such-host.invalid/hook', 'no-such-host.invalid could not be resolved'],
    ] as const) {
      const res = await create(url)
      expect(res.status, url).toBe(400)
      const [error] = await errorsOf(res)
      expect(error, url).toMatch(/^url: /)
      expect(error, url).toContain(reason)
    }
    expect((await ownerPool().query(`SELECT count(*)::int AS n FROM notification_channels WHERE org_id = $1`, [orgId])).rows[0].n).toBe(0)
    expect(hits).toBe(0)
  })

  it('accepts a public host, and refuses changing its URL to a private one', async () => {
    const res = await create(`http://${PUBLIC}/hook`)
    expect(res.status).toBe(201)
    const { channel } = await res.json()
    const patched = await patchChannel(
      apiRequest(`/api/v1/channels/${channel.id}`, { key: writeKey, method: 'PATCH', body: { url: `http://127.0.0.1:${port}/x` } }),
      { params: Promise.resolve({ id: channel.id }) },
    )
    expect(patched.status).toBe(400)
    expect(await errorsOf(patched)).toEqual([
      'url: 127.0.0.1 resolves to 127.0.0.1, a loopback, private, link-local or metadata address: webhooks must reach a public host',
    ])
  })

  it('refuses at delivery time a name that resolves to a private address by then (DNS rebinding): logged once, not retried, nothing sent', async () => {
    rebinding()
    const res = await create(`http://rebind.example.com:${port}/hook`)
    expect(res.status).toBe(201) // the check at creation saw the public address
    const { channel } = await res.json()
    const { delivery } = await (
      await testChannel(apiRequest(`/api/v1/channels/${channel.id}/test`, { key: writeKey, method: 'POST' }), { params: Promise.resolve({ id: channel.id }) })
    ).json()
    const tried = await tryDelivery(orgId, delivery.id, 1, 6)
    expect(tried).toEqual({
      outcome: 'failed',
      status_code: null,
      error: 'refused: rebind.example.com resolves to 127.0.0.1, a loopback, private, link-local or metadata address: webhooks must reach a public host',
    })
    const logged = await getDelivery(orgId, delivery.id)
    expect(logged).toMatchObject({ status: 'failed', attempts: 1 })
    expect(logged.attempt_log).toHaveLength(1)
    expect(hits).toBe(0)
  })

  it('with private targets allowed (tests, the demo), the same receiver is reached', async () => {
    expect(await webhookTargetProblem(`http://127.0.0.1:${port}/hook`, true)).toBeNull()
    const sent = await sendWebhook({ id: '1', url: `http://localhost:${port}/hook`, secret: 'whsec_x', alert_id: null }, '{}', new Date(), true)
    expect(sent).toEqual({ ok: true, status_code: 200, error: null })
    expect(hits).toBe(1)
    const refused = await sendWebhook({ id: '1', url: `http://localhost:${port}/hook`, secret: 'whsec_x', alert_id: null }, '{}', new Date(), false)
    expect(refused).toMatchObject({ ok: false, permanent: true })
    expect(hits).toBe(1)
  })
})
