import type { Job } from 'bullmq'
import { asOrg } from '@/lib/db'
import { ZAlertsJob } from '@/lib/queues'
import { evaluateAllAlerts, evaluateOrgAlerts } from '@/lib/alerts/evaluate'

// Queue "alerts" (formerly "budgets", drained by workers/alerts.ts): the
// scheduler's job evaluates every organization's budgets and drift detectors;
// an "evaluate-org" job (queued after an ingest batch moved that
// organization's rollups, or a budget changed) evaluates one, so alerts and
// decide's cutoffs follow the spend within seconds. Safe to run twice: alerts
// are unique per dedupe key, states record only changes, gates are overwritten.
export async function alertsProcessor(job: Job): Promise<{ fired: number }> {
  const { orgId } = ZAlertsJob.parse(job.data ?? {})
  if (orgId) return { fired: (await asOrg(orgId, () => evaluateOrgAlerts(orgId))).length }
  return { fired: (await evaluateAllAlerts()).fired }
}
