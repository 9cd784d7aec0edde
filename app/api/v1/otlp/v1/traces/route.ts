// POST /api/v1/otlp/v1/traces — OTLP/HTTP trace export (JSON or protobuf, optionally gzip); API key with the "ingest" scope.
import { withOrg } from '@/lib/http/route'
import { receiveTraces } from '@/lib/otlp/receive'
import * as api from '@/lib/ingest/api'

// The body is read by receiveTraces (its encoding, gzip and limit: the declaration's raw body).
export const POST = withOrg(api.ingestTraces, ({ req, org }) =>
  receiveTraces(req, { orgId: org.orgId, defaultEnvironment: org.defaultEnvironment, rateLimit: org.ingestRateLimit }),
)
