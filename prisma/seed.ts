// npm run seed -- [--url http://localhost:3000] [--days 90] [--reset]
// Seeds the demo organization through the running stack's ingest API.
import { parseArgs } from 'node:util'
import { loadEnv } from '@/lib/env'
import { closeDb } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { DEMO, DEMO_PEOPLE, seedDemo } from '@/lib/demo/seed'

async function main() {
  const env = loadEnv()
  const { values } = parseArgs({ options: { url: { type: 'string' }, days: { type: 'string', default: '90' }, reset: { type: 'boolean', default: false } } })
  const days = Number(values.days)
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error('--days must be an integer from 1 to 365')
  const baseUrl = (values.url ?? env.NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/$/, '')
  await seedDemo({ baseUrl, days, reset: values.reset ?? false })
  console.log(`Demo organization: ${DEMO.slug} — sign in as ${DEMO.email} / ${DEMO.password} (admin)`)
  for (const p of DEMO_PEOPLE) console.log(`  or as ${p.email} (${p.role.replace('_', ' ')}), same password`)
}

// Close every connection, PostgreSQL and Redis (publishing a routing policy announces it through Redis), so the
// process ends: the end-to-end setup waits for it synchronously.
const close = () => Promise.all([closeDb(), closeQueues()])

main()
  .then(close)
  .catch(async (e) => {
    console.error(`seed failed: ${(e as Error).message}`)
    await close()
    process.exit(1)
  })
