// GET /api/health — database, Redis and worker state; public (no data of any organization).
import { json } from '@/lib/http/route'
import { health } from '@/lib/health'

export const dynamic = 'force-dynamic'

export async function GET(): Promise<Response> {
  const h = await health()
  return json(h, h.status === 'ok' ? 200 : 503)
}
