import { DEFAULT_ENVIRONMENT, DEFAULT_TRAFFIC_SOURCE } from '@/lib/domain'
import { budgetVerdict, cachedGates, type TBudgetVerdict, type TCallScope, verdictBeforeThrottle } from '@/lib/budgets/enforce'
import type { TDecideAnswer, TDecideRequest } from '@/lib/decide/schema'
import { routeCall, routeCallNow, type TRouteAnswer } from '@/lib/routing/runtime'

// The run-time answer for one model call: which model (routing policy) and
// whether the budgets covering the call let it through. Reads process memory
// and Redis only, never the rollups.

export type TDecideResult = { status: 200 | 404; answer: TDecideAnswer; message?: string }

export function callScope(req: TDecideRequest, defaultEnvironment: string | null): TCallScope {
  return {
    environment: req.environment ?? defaultEnvironment ?? DEFAULT_ENVIRONMENT,
    workflow_id: req.workflow_id,
    account_id: req.account_id ?? null,
    feature: req.feature ?? null,
    traffic_source: req.traffic_source ?? DEFAULT_TRAFFIC_SOURCE,
  }
}

export async function decide(orgId: string, req: TDecideRequest, opts: { defaultEnvironment?: string | null; now?: Date } = {}): Promise<TDecideResult> {
  const now = opts.now ?? new Date()
  const scope = callScope(req, opts.defaultEnvironment ?? null)
  const [budget, route] = await Promise.all([budgetVerdict(orgId, scope, now), routeCall(orgId, routed(req, scope), now)])
  return resultOf(req, route, budget)
}

/**
 * decide from this process's memory alone, without a promise: the gates and the published policies are fresh in
 * memory and no throttled budget's minute needs counting in Redis. Undefined otherwise: decide answers.
 */
export function decideNow(orgId: string, req: TDecideRequest, opts: { defaultEnvironment?: string | null; now?: Date } = {}): TDecideResult | undefined {
  const gates = cachedGates(orgId)
  if (!gates) return undefined
  const now = opts.now ?? new Date()
  const scope = callScope(req, opts.defaultEnvironment ?? null)
  const { verdict, throttling } = verdictBeforeThrottle(gates, scope, now)
  if (throttling.length) return undefined
  const route = routeCallNow(orgId, routed(req, scope))
  return route && resultOf(req, route, verdict)
}

const routed = (req: TDecideRequest, scope: TCallScope): TDecideRequest => ({ ...req, environment: scope.environment as TDecideRequest['environment'] })

function resultOf(req: TDecideRequest, route: TRouteAnswer, budget: TBudgetVerdict): TDecideResult {
  if (route.found) {
    return {
      status: 200,
      answer: { provider: route.provider, model: route.model, policy_id: route.policy_id, policy_version: route.policy_version, reason: route.reason, budget },
    }
  }
  // No published policy covers the step: the configured default (or null), so the caller keeps working.
  const message = `No published routing policy for workflow "${req.workflow_id}", step "${req.step}": use ${route.model ? `the default model ${route.provider}/${route.model}` : 'your default model'}`
  return { status: 404, message, answer: { provider: route.provider, model: route.model, policy_id: null, policy_version: null, reason: route.reason, budget } }
}
