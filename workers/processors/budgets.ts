import type { Job } from 'bullmq'
import { ZBudgetsJob } from '@/lib/queues'
import { evaluateAllBudgets, evaluateOrgBudgets } from '@/lib/budgets/alerts'

// Queue "budgets": the scheduler's job evaluates every organization; an
// "evaluate-org" job (queued after an ingest batch moved that organization's
// rollups) evaluates one. Safe to run twice: alerts are unique per crossing,
// states record only changes, gates are overwritten.
export async function budgetsProcessor(job: Job): Promise<{ fired: number }> {
  const { orgId } = ZBudgetsJob.parse(job.data ?? {})
  if (orgId) return { fired: (await evaluateOrgBudgets(orgId)).length }
  return { fired: await evaluateAllBudgets() }
}
