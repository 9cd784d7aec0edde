import type { TEndpointSpec } from '@/lib/http/endpoint'
import * as openapi from '@/lib/api/api'
import * as accounts from '@/lib/accounts/api'
import * as budgets from '@/lib/budgets/api'
import * as alerts from '@/lib/alerts/api'
import * as auditLog from '@/lib/audit/api'
import * as bills from '@/lib/bills/api'
import * as calls from '@/lib/calls/api'
import * as featureSlos from '@/lib/slos/api'
import * as forecast from '@/lib/forecast/api'
import * as reports from '@/lib/reports/api'
import * as scenarios from '@/lib/scenarios/api'
import * as auth from '@/lib/auth/api'
import * as gateway from '@/lib/gateway/api'
import * as members from '@/lib/members/api'
import * as notifications from '@/lib/notifications/api'
import * as queues from '@/lib/queues/api'
import * as decide from '@/lib/decide/api'
import * as ingest from '@/lib/ingest/api'
import * as gpuFleet from '@/lib/gpu/api'
import * as pricing from '@/lib/prices/api'
import * as routing from '@/lib/routing/api'
import * as metrics from '@/lib/metrics/api'
import * as changes from '@/lib/changes/api'
import * as decisionRecord from '@/lib/decision-record/api'
import * as opportunities from '@/lib/opportunities/api'
import * as promptVersions from '@/lib/prompt-versions/api'
import * as endUsers from '@/lib/end-users/api'
import * as overview from '@/lib/overview/api'
import * as organization from '@/lib/orgs/api'
import * as telemetry from '@/lib/telemetry/api'

// Every declared /api/v1 endpoint, for the OpenAPI document. A capability's
// endpoints live in its lib/<capability>/api.ts; add the module here (the
// contract test fails for a route whose endpoint is not listed).
const MODULES: Record<string, Record<string, unknown>> = {
  openapi,
  accounts,
  alerts,
  auditLog,
  auth,
  bills,
  budgets,
  calls,
  changes,
  decide,
  decisionRecord,
  endUsers,
  featureSlos,
  forecast,
  gateway,
  gpuFleet,
  ingest,
  members,
  metrics,
  notifications,
  opportunities,
  overview,
  organization,
  pricing,
  promptVersions,
  queues,
  reports,
  routing,
  scenarios,
  telemetry,
}

const isEndpoint = (x: unknown): x is TEndpointSpec => typeof x === 'object' && x !== null && 'method' in x && 'path' in x && 'responses' in x

export const ENDPOINTS: readonly TEndpointSpec[] = Object.values(MODULES)
  .flatMap((m) => Object.values(m).filter(isEndpoint))
  .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
