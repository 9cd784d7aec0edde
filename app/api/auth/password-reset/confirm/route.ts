// POST /api/auth/password-reset/confirm {token, password} — set a new password with an emailed token; public, throttled. Ends every session.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { ZPasswordResetConfirm, type TDone } from '@/lib/auth/schema'
import { resetPassword } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    const input = parseOrThrow(ZPasswordResetConfirm, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    await resetPassword(input.token, input.password, clientAddress(req.headers))
    return json({ status: 'ok' } satisfies TDone)
  } catch (e) {
    return errorResponse(e)
  }
}
