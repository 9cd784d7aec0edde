import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents, acceptOutcomes } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'

// Cost per accepted outcome = all production inference cost of a workflow
// (retries, fallbacks and errors included) ÷ its accepted outcomes.

let orgId = ''
const NOW = new Date('2026-11-20T12:00:00Z')
const metrics = (q: Record<string, string>) => queryMetrics(orgId, ZMetricsQuery.parse({ from: '2026-11-01', to: '2026-11-21', ...q }))
async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('outcomes')
  orgId = (await createOrgWithAdmin({ org_name: 'Outcome Co', email: 'outcome@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  // gpt-4o-mini, 10,000 in + 1,000 out = 1500 + 600 = 2100 µ$ per call
  const call = (id: string, extra: Record<string, unknown>) => ({
    id,
    timestamp: '2026-11-20T10:00:00Z',
    workflow_id: 'support-agent',
    step: 'generate',
    provider: 'openai',
    model: 'gpt-4o-mini',
    tokens_in: 10_000,
    tokens_out: 1_000,
    ...extra,
  })
  await acceptEvents(
    { orgId, now: NOW },
    {
      events: [
        call('r1-a1', { outcome: 'retry', account_id: 'acme' }),
        call('r1-a2', { account_id: 'acme' }),
        call('r2', { outcome: 'error', account_id: 'globex' }),
        call('r3', { account_id: 'globex' }),
        call('eval-1', { traffic_source: 'eval' }), // not production traffic: not in cost per outcome
      ],
    },
  )
  const o = (id: string, accepted: boolean, account: string) => ({
    id,
    timestamp: '2026-11-20T10:30:00Z',
    workflow_id: 'support-agent',
    account_id: account,
    accepted,
    kind: 'ticket_resolved',
  })
  const answer = await acceptOutcomes(
    { orgId, now: NOW },
    {
      outcomes: [
        o('t1', true, 'acme'),
        o('t2', true, 'globex'),
        o('t3', false, 'globex'),
        o('t1', true, 'acme'),
        { id: 't4', workflow_id: 'x', accepted: 'yes' },
      ],
    },
  )
  expect(answer).toEqual({ accepted: 3, duplicates: 1, rejected: [{ index: 4, errors: ['accepted: must be true or false'] }] })
  await drain()
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('outcomes', () => {
  it('rolls outcomes up beside cost: cost per accepted outcome per workflow', async () => {
    const { rows } = await metrics({ group_by: 'workflow_id' })
    // production cost: 4 calls × 2100 µ$ = 8400 µ$; 2 accepted → 4200 µ$ each
    expect(rows).toEqual([
      expect.objectContaining({
        workflow_id: 'support-agent',
        events: 5,
        cost_usd: '0.010500',
        production_cost_usd: '0.008400',
        outcomes: 3,
        accepted_outcomes: 2,
        cost_per_accepted_outcome_usd: '0.004200',
      }),
    ])
  })

  it('splits by account, and counts a re-sent outcome once', async () => {
    const { rows } = await metrics({ group_by: 'account_id' })
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account_id: 'acme', production_cost_usd: '0.004200', accepted_outcomes: 1, cost_per_accepted_outcome_usd: '0.004200' }),
        expect.objectContaining({
          account_id: 'globex',
          production_cost_usd: '0.004200',
          outcomes: 2,
          accepted_outcomes: 1,
          cost_per_accepted_outcome_usd: '0.004200',
        }),
      ]),
    )
    await acceptOutcomes({ orgId, now: NOW }, { outcomes: [{ id: 't1', timestamp: '2026-11-20T10:30:00Z', workflow_id: 'support-agent', accepted: true }] })
    await drain()
    expect((await metrics({ group_by: 'workflow_id' })).rows[0]).toMatchObject({ accepted_outcomes: 2 })
  })

  it('adds no outcome-only rows to an answer cut at its limit (they would read as $0 spend)', async () => {
    const { rows } = await metrics({ group_by: 'account_id', limit: '1' })
    expect(rows).toHaveLength(1)
    expect(Number(rows[0].cost_usd)).toBeGreaterThan(0)
  })

  it('leaves outcome measures out where outcomes cannot be attributed (grouped by model)', async () => {
    const { rows } = await metrics({ group_by: 'model' })
    expect(rows[0]).not.toHaveProperty('accepted_outcomes')
  })
})
