// POST /api/v1/otlp/v1/traces — OTLP/HTTP trace export (JSON or protobuf, optionally gzip); API key with the "ingest" scope.
import { withOrg } from '@/lib/http/route'
import { receiveTraces } from '@/lib/otlp/receive'

export const POST = withOrg(
  (req, { org }) => receiveTraces(req, { orgId: org.orgId, defaultEnvironment: org.defaultEnvironment, rateLimit: org.ingestRateLimit }),
  { scope: 'ingest', permission: null },
)
