// POST /api/auth/password-reset {email} — email a single-use reset link; public, throttled. 202 whether or not the email has an account.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { ZPasswordResetRequest, type TAccepted } from '@/lib/auth/schema'
import { requestPasswordReset } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    const { email } = parseOrThrow(ZPasswordResetRequest, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    await requestPasswordReset(email, clientAddress(req.headers))
    return json({ status: 'accepted' } satisfies TAccepted, 202)
  } catch (e) {
    return errorResponse(e)
  }
}
