// POST /api/auth/signup — create a user and an organization they administer; public, from Outlay's own sign-up page only
// (Origin checked), throttled per email and client address. With SMTP configured: 202 {"status":"verification_sent"}
// whether or not the email has an account (lib/auth/accounts.ts).
import { errorResponse, json, readJson } from '@/lib/http/route'
import { assertSameOrigin } from '@/lib/http/origin'
import { env } from '@/lib/env'
import { parseOrThrow } from '@/lib/validation'
import { ZSignUp } from '@/lib/orgs/schema'
import { signUp } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    // The form signs the new user in right after: another site must not sign a visitor up (and in) to an account it chose.
    assertSameOrigin(req, env().NEXTAUTH_URL)
    const input = parseOrThrow(ZSignUp, await readJson(req, 16 * 1024), 'Please fix the highlighted fields')
    const answer = await signUp(input, clientAddress(req.headers))
    return json(answer, answer.status === 'created' ? 201 : 202)
  } catch (e) {
    return errorResponse(e)
  }
}
