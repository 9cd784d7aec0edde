import { pool } from '@/lib/db'
import { GATEWAY_MARK } from '@/lib/gateway/pipeline'
import type { TGatewayCallsQuery, TGatewayCallsResponse } from '@/lib/gateway/schema'

// The Gateway page's live list: the organization's latest calls through the gateway (their attempts' events,
// as the ingest worker stored and priced them).

export async function recentGatewayCalls(orgId: string, q: TGatewayCallsQuery): Promise<TGatewayCallsResponse> {
  const r = await pool().query<{
    id: string
    timestamp: Date
    api: string
    workflow_id: string
    step: string
    provider: string | null
    model: string | null
    outcome: string
    attempt: number | null
    latency_ms: number | null
    tokens_in: string
    cached_tokens_in: string
    tokens_out: string
    max_tokens: number | null
    cost_usd: string | null
    response_cache_hit: boolean
    response_cache_savings_usd: string | null
  }>(
    `SELECT event_id AS id, "timestamp", metadata->>$2 AS api, workflow_id, step, provider, model, outcome, attempt, latency_ms,
            tokens_in::text, cached_tokens_in::text, tokens_out::text, max_tokens, round(cost_usd, 6)::text AS cost_usd,
            response_cache_hit, round(response_cache_savings_usd, 6)::text AS response_cache_savings_usd
     FROM inference_events WHERE org_id = $1 AND metadata ? $2 ORDER BY "timestamp" DESC, event_id DESC LIMIT $3`,
    [orgId, GATEWAY_MARK, q.limit],
  )
  return {
    calls: r.rows.map((x) => ({
      ...x,
      timestamp: x.timestamp.toISOString(),
      tokens_in: Number(x.tokens_in),
      cached_tokens_in: Number(x.cached_tokens_in),
      tokens_out: Number(x.tokens_out),
    })),
  }
}
