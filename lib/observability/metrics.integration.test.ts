import { afterAll, beforeAll, expect, it } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { GET } from '@/app/api/metrics/prometheus/route'

beforeAll(async () => {
  await useTestServices('prometheus')
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

it('exposes ingest counts, rejects by field and the backlog in Prometheus format', async () => {
  const { org } = await createOrgWithAdmin({ org_name: 'Prom Co', email: 'prom@example.com', password: 'password-123' })
  setTestDefaultOrg(org.id) // the tests' own calls of lib functions run for this organization
  await acceptEvents(
    { orgId: org.id },
    {
      events: [
        { id: 'a', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1 },
        { id: 'a', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1 },
        { id: 'b', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: -1 },
      ],
    },
  )
  const res = await GET(new Request('http://x/api/metrics/prometheus'))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain')
  const text = await res.text()
  expect(text).toContain('outlay_ingest_items_total{kind="events",result="accepted"} 1')
  expect(text).toContain('outlay_ingest_items_total{kind="events",result="duplicate"} 1')
  expect(text).toContain('outlay_ingest_rejects_total{kind="events",field="tokens_in"} 1')
  expect(text).toContain('outlay_ingest_pending_batches 1')
  expect(text).toMatch(/outlay_ingest_pending_events [1-9]/)
  expect(text).toMatch(/outlay_queue_jobs\{queue="ingest",state="waiting"\} 1/)
  expect(text).toContain('outlay_scrape_ok 1')
})

it('counts rejects on fields the contract does not know as "other": a sender cannot grow the label set', async () => {
  const { org } = await createOrgWithAdmin({ org_name: 'Prom Labels', email: 'prom-labels@example.com', password: 'password-123' })
  const events = Array.from({ length: 50 }, (_, i) => ({ id: `x${i}`, workflow_id: 'w', step: 's', provider: 'openai', model: 'm', [`evil_${i}`]: 1 }))
  expect(await acceptEvents({ orgId: org.id }, { events })).toMatchObject({
    accepted: 0,
    rejected: expect.arrayContaining([{ index: 0, errors: ['evil_0: unknown field'] }]),
  })
  const text = await (await GET(new Request('http://x/api/metrics/prometheus'))).text()
  expect(text).toContain('outlay_ingest_rejects_total{kind="events",field="other"} 50')
  expect(text).not.toContain('evil_')
  expect(text.match(/^outlay_ingest_rejects_total\{/gm)).toHaveLength(2) // tokens_in (above) and other
})
