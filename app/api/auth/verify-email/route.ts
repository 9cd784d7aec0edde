// POST /api/auth/verify-email {token} — confirm an account's email with the emailed token; public, throttled.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { ZVerifyEmail, type TDone } from '@/lib/auth/schema'
import { verifyEmail } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    const { token } = parseOrThrow(ZVerifyEmail, await readJson(req, 4 * 1024), 'Invalid verification link')
    await verifyEmail(token, clientAddress(req.headers))
    return json({ status: 'ok' } satisfies TDone)
  } catch (e) {
    return errorResponse(e)
  }
}
