import { isWasteOutcome, micros, microsToUsd } from '@/lib/domain'

// The three layers of inference cost (seed 000, PRODUCT.md `call_type`): provider inference (the generations),
// retrieval and orchestration (embeddings, re-ranking, tool calls), and the retry and quality tax (calls that were
// retried or failed, and guardrails). A call is in exactly one layer: a retried or failed call is tax whatever its
// type, then guardrails are tax, embeddings/rerank/tools are retrieval, the rest (generation, other) inference.

export const COST_LAYERS = ['inference', 'retrieval', 'tax'] as const
export type TCostLayer = (typeof COST_LAYERS)[number]

export const LAYER_LABEL: Record<TCostLayer, string> = {
  inference: 'Provider inference',
  retrieval: 'Retrieval and orchestration',
  tax: 'Retry and quality tax',
}

export const LAYER_DEFINITION: Record<TCostLayer, string> = {
  inference: 'Generation and other calls that succeeded, fell back or escalated: per-token API charges or self-hosted GPU-seconds.',
  retrieval: 'Embedding, re-rank and tool calls that did not fail: often more calls than the main generation.',
  tax: 'Every call whose outcome is retry or error, whatever its type, and every guardrail call: spend that buys no answer by itself.',
}

const RETRIEVAL_TYPES: readonly string[] = ['embedding', 'rerank', 'tool']

export function layerOf(callType: string | null | undefined, outcome: string | null | undefined): TCostLayer {
  if (isWasteOutcome(outcome) || callType === 'guardrail') return 'tax'
  if (RETRIEVAL_TYPES.includes(callType ?? '')) return 'retrieval'
  return 'inference'
}

export type TLayerTotal = { layer: TCostLayer; label: string; cost_usd: string; share: number | null; events: number }

/** Each layer's cost (summed in micro-dollars) and share of the total, in COST_LAYERS order. */
export function costLayers(rows: readonly { call_type?: string | null; outcome?: string | null; cost_usd: string; events: number }[]): TLayerTotal[] {
  const sums = new Map<TCostLayer, { m: bigint; events: number }>(COST_LAYERS.map((l) => [l, { m: 0n, events: 0 }]))
  for (const r of rows) {
    const s = sums.get(layerOf(r.call_type, r.outcome))!
    s.m += micros(r.cost_usd)
    s.events += r.events
  }
  const total = [...sums.values()].reduce((t, s) => t + s.m, 0n)
  return COST_LAYERS.map((layer) => {
    const s = sums.get(layer)!
    return {
      layer,
      label: LAYER_LABEL[layer],
      cost_usd: microsToUsd(s.m),
      share: total === 0n ? null : Number((s.m * 1_000_000n) / total) / 1_000_000,
      events: s.events,
    }
  })
}
