import { budgetVerdict, type TCallScope } from '@/lib/budgets/enforce'
import type { TDecideAnswer, TDecideRequest } from '@/lib/decide/schema'

// The run-time answer for one model call: which model (routing policy) and
// whether the budgets covering the call let it through. Reads process memory
// and Redis only, never the rollups.

export type TDecideResult = { status: 200 | 404; answer: TDecideAnswer; message?: string }

export function callScope(req: TDecideRequest, defaultEnvironment: string | null): TCallScope {
  return {
    environment: req.environment ?? defaultEnvironment ?? 'production',
    workflow_id: req.workflow_id,
    account_id: req.account_id ?? null,
    feature: req.feature ?? null,
    traffic_source: req.traffic_source ?? 'production',
  }
}

export async function decide(orgId: string, req: TDecideRequest, opts: { defaultEnvironment?: string | null; now?: Date } = {}): Promise<TDecideResult> {
  const budget = await budgetVerdict(orgId, callScope(req, opts.defaultEnvironment ?? null), opts.now ?? new Date())
  // No routing policy covers any step yet: the caller keeps the model it would have used.
  const message = `No published routing policy for workflow "${req.workflow_id}", step "${req.step}": use your default model`
  return {
    status: 404,
    message,
    answer: { provider: null, model: null, policy_id: null, policy_version: null, reason: 'no_policy: no published routing policy covers this step', budget },
  }
}
