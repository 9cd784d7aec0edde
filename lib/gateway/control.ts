// The gateway's control seam: what to do with one call before it goes upstream
// (lib/gateway/pipeline.ts asks planCall, then carries the plan out and
// measures it). This version is the pass-through: the requested model, as
// asked, no cache. Routing policies, budgets and the response cache replace
// this file; the pipeline knows only these types.

export const GATEWAY_PROTOCOLS = ['openai-chat', 'openai-responses', 'openai-embeddings', 'anthropic-messages'] as const
export type TGatewayProtocol = (typeof GATEWAY_PROTOCOLS)[number]

export type TGatewayAttribution = {
  workflowId: string | null
  step: string | null
  runId: string | null
  accountId: string | null
  userId: string | null
  feature: string | null
  environment: string | null
  trafficSource: string | null
  scenarioId: string | null
  owner: string | null
  promptVersion: string | null
}

export type TGatewayCall = {
  orgId: string
  protocol: TGatewayProtocol
  requestedModel: string
  maxTokens: number | null
  stream: boolean
  inputHash: string
  attribution: TGatewayAttribution
  headers: Headers
}

export type TPlannedAttempt = { model: string; maxTokens: number | null; outcomeIfSucceeds: 'success' | 'fallback' | 'escalation' }

export type TCallPlan =
  // budget cutoff: answered in the provider's error shape, upstream never called
  | { kind: 'deny'; status: 429; message: string; headers: Record<string, string> }
  | { kind: 'cached'; body: unknown; savingsMicros: bigint; headers: Record<string, string> }
  | {
      kind: 'forward'
      /** tried in order on an upstream 429, 5xx or timeout */
      attempts: TPlannedAttempt[]
      /** added to the answer */
      headers: Record<string, string>
      /** store a non-streamed answer for this long (storeCached) */
      cacheTtlS: number | null
      /** called once the call is over, with the cost of every attempt made (null: unpriced) */
      settle?: (actualCostMicros: bigint | null) => Promise<void>
    }

export async function planCall(call: TGatewayCall): Promise<TCallPlan> {
  return { kind: 'forward', attempts: [{ model: call.requestedModel, maxTokens: call.maxTokens, outcomeIfSucceeds: 'success' }], headers: {}, cacheTtlS: null }
}

/** Keep a non-streamed answer for `ttlS` seconds under its input hash (the pass-through keeps nothing). */
export async function storeCached(_orgId: string, _inputHash: string, _ttlS: number, _body: unknown, _costMicros: bigint | null): Promise<void> {}
