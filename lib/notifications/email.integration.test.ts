import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { useTestServices } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { createBudget } from '@/lib/budgets'
import { inTransaction } from '@/lib/db'
import { recordAlerts } from '@/lib/alerts'
import { createAlertDeliveries, createChannel, getDelivery, sendTest } from '@/lib/notifications/channels'
import { tryDelivery } from '@/lib/notifications/deliver'

// Email alerts through a real SMTP server started here (the smtp-server
// package): what arrives, to whom, and a refused recipient logged and retried.

type TMail = { from: string; to: string[]; data: string }
const mails: TMail[] = []
let server: SMTPServer
let orgId = ''

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@refused.example')) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))
      cb()
    },
    onData(stream, session, cb) {
      let data = ''
      stream.on('data', (c) => (data += c))
      stream.on('end', () => {
        // headers unfolded (RFC 5322 folds long ones onto continuation lines)
        mails.push({
          from: (session.envelope.mailFrom || { address: '' }).address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: data.replace(/\r\n[ \t]+/g, ' '),
        })
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.server.address() as AddressInfo).port
  await useTestServices('email')
  Object.assign(process.env, { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Outlay alerts <alerts@outlay.test>', NEXTAUTH_URL: 'http://outlay.test' })
  orgId = (await createOrgWithAdmin({ org_name: 'Mail Co', email: 'mail@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  await closeQueues()
  await closeDb()
})

describe('email notifications', () => {
  it('a test email reaches every address through SMTP', async () => {
    const { channel, secret } = await createChannel(orgId, { name: 'Finance', type: 'email', emails: ['cfo@example.com', 'fin@example.com'], is_default: true })
    expect(secret).toBeNull()
    const d = await sendTest(orgId, channel.id)
    expect(await tryDelivery(orgId, d.id, 1, 3)).toMatchObject({ outcome: 'delivered' })
    expect(mails).toHaveLength(1)
    expect(mails[0].from).toBe('alerts@outlay.test')
    expect(mails[0].to).toEqual(['cfo@example.com', 'fin@example.com'])
    expect(mails[0].data).toContain('Subject: [Outlay] Test notification')
    expect(mails[0].data).toContain('This is a test from Outlay for Mail Co.')
    expect(await getDelivery(orgId, d.id)).toMatchObject({ status: 'delivered', attempts: 1, attempt_log: [{ attempt: 1, ok: true, error: null }] })
  })

  it('an alert email says what crossed, by how much, and links to its page', async () => {
    const budget = await createBudget(orgId, {
      name: 'Month',
      environment: null,
      workflow_id: null,
      account_id: null,
      feature: null,
      traffic_sources: ['production'],
      period: 'month',
      rolling_days: null,
      metric: 'spend',
      amount_usd: '10',
      thresholds: [100],
      hard_cutoff: false,
      owner: null,
    })
    // A crossing recorded as the evaluation records it (the spend path is proven in webhooks.integration.test.ts).
    const deliveries = await inTransaction(async (c) => {
      const fired = await recordAlerts(
        c,
        orgId,
        new Date(),
        [
          {
            kind: 'budget',
            source_key: `budget:${budget.id}`,
            dedupe_key: `budget:${budget.id}:x:100`,
            subject: 'Month',
            title: '',
            details: {},
            budget_id: budget.id,
            period_start: new Date().toISOString(),
            threshold: 100,
            state: 'exceeded',
            actual_usd: '12.5',
            amount_usd: '10',
          },
        ],
        { kinds: [] },
      )
      return createAlertDeliveries(c, orgId, fired)
    })
    expect(deliveries).toHaveLength(1) // the default channel
    expect(await tryDelivery(orgId, deliveries[0], 1, 3)).toMatchObject({ outcome: 'delivered' })
    const mail = mails.at(-1)!
    expect(mail.data).toContain('Subject: [Outlay] Exceeded: Month: 100% of the budget reached ($12.50 of $10.00)')
    expect(mail.data).toContain('Measured: $12.50 (budget $10.00)')
    expect(mail.data).toContain('Details: http://outlay.test/mail-co/budgets')
  })

  it('a refused recipient is logged with the SMTP code and retried until the last attempt', async () => {
    const { channel } = await createChannel(orgId, { name: 'Bad', type: 'email', emails: ['nobody@refused.example'], is_default: false })
    const d = await sendTest(orgId, channel.id)
    expect(await tryDelivery(orgId, d.id, 1, 2)).toMatchObject({ outcome: 'retry', status_code: 550 })
    expect(await tryDelivery(orgId, d.id, 2, 2)).toMatchObject({ outcome: 'failed', status_code: 550 })
    const log = await getDelivery(orgId, d.id)
    expect(log).toMatchObject({ status: 'failed', attempts: 2, last_status_code: 550 })
    expect(log.attempt_log.map((a) => [a.attempt, a.ok, a.status_code])).toEqual([
      [1, false, 550],
      [2, false, 550],
    ])
  })
})
