// POST /api/v1/gateway/anthropic/v1/messages — Anthropic Messages through the gateway; an API key with the "gateway" scope
// (Authorization: Bearer or x-api-key). Errors in the provider's shape, not withOrg's (lib/gateway/http.ts);
// server.ts answers the same path on its fast path with the same pipeline.
import { gatewayRoute } from '@/lib/gateway/http'
import * as api from '@/lib/gateway/api'

export const POST = gatewayRoute('anthropic-messages', api.messages)
