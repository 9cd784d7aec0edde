// GET /api/v1/telemetry-health — which sources send calls without their attribution, and the routes that lack it; API key with "read", or any member.
import { withOrg } from '@/lib/http/route'
import { loadTelemetryHealth } from '@/lib/telemetry/load'
import * as api from '@/lib/telemetry/api'

export const GET = withOrg(api.telemetryHealth, async ({ org, query }) => loadTelemetryHealth(org.orgId, query))
