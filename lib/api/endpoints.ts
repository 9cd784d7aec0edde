import type { TEndpointSpec } from '@/lib/http/endpoint'
import * as openapi from '@/lib/api/api'
import * as budgets from '@/lib/budgets/api'
import * as auth from '@/lib/auth/api'
import * as gateway from '@/lib/gateway/api'
import * as members from '@/lib/members/api'
import * as notifications from '@/lib/notifications/api'
import * as queues from '@/lib/queues/api'
import * as decide from '@/lib/decide/api'
import * as ingest from '@/lib/ingest/api'
import * as pricing from '@/lib/prices/api'
import * as routing from '@/lib/routing/api'

// Every declared /api/v1 endpoint, for the OpenAPI document. A capability's
// endpoints live in its lib/<capability>/api.ts; add the module here (the
// contract test fails for a route whose endpoint is not listed).
const MODULES: Record<string, Record<string, unknown>> = { openapi, auth, budgets, decide, gateway, ingest, members, notifications, pricing, queues, routing }

const isEndpoint = (x: unknown): x is TEndpointSpec => typeof x === 'object' && x !== null && 'method' in x && 'path' in x && 'responses' in x

export const ENDPOINTS: readonly TEndpointSpec[] = Object.values(MODULES)
  .flatMap((m) => Object.values(m).filter(isEndpoint))
  .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
