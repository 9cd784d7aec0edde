// GET /api/metrics/prometheus — Prometheus metrics (system-wide, no tenant data); bearer METRICS_TOKEN when configured.
import { timingSafeEqual } from 'node:crypto'
import { env } from '@/lib/env'
import { errorResponse } from '@/lib/http/route'
import { unauthorized } from '@/lib/errors'
import { prometheusText } from '@/lib/observability/metrics'

export const dynamic = 'force-dynamic'

export async function GET(req: Request): Promise<Response> {
  const token = env().METRICS_TOKEN
  if (token) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.get('authorization') ?? '')?.[1] ?? '')
    const want = Buffer.from(token)
    if (given.length !== want.length || !timingSafeEqual(given, want)) return errorResponse(unauthorized('Send "Authorization: Bearer <METRICS_TOKEN>"'))
  }
  const { contentType, body } = await prometheusText()
  return new Response(body, { headers: { 'content-type': contentType } })
}
