// POST /api/auth/verify-email/resend {email} — email a new verification link to an unverified account; public, throttled. 202 for any email.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { ZResendVerification, type TAccepted } from '@/lib/auth/schema'
import { resendVerification } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    const { email } = parseOrThrow(ZResendVerification, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    await resendVerification(email, clientAddress(req.headers))
    return json({ status: 'accepted' } satisfies TAccepted, 202)
  } catch (e) {
    return errorResponse(e)
  }
}
