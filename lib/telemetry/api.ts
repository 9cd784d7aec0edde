import { endpoint } from '@/lib/http/endpoint'
import { ZTelemetryHealthAnswer, ZTelemetryHealthQuery } from '@/lib/telemetry/schema'

// Telemetry health: an API key with "read", or any member.

export const telemetryHealth = endpoint({
  method: 'GET',
  path: '/api/v1/telemetry-health',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'Which sources send calls without workflow, step, account, outcome, scenario_id or owner, and which routes lack them',
  description:
    'Per source of events (an API key, an OpenTelemetry service, the gateway, a signed-in member, eval runs): its calls and spend, the share of calls and of spend that lack each attribution field, and the workflow / step routes that lack them (most spend first). workflow_id, step and outcome count as missing when Outlay filled them in: an OTLP span without outlay.workflow_id nor service.name, or without outlay.step; a gateway call without its header; an event without outcome. Reads the raw events of the range: at most 31 days, 7 by default.',
  query: ZTelemetryHealthQuery,
  responses: { 200: { description: 'The sources, most spend first', schema: ZTelemetryHealthAnswer } },
  example: { query: { from: '2026-11-24', to: '2026-12-01' } },
})
