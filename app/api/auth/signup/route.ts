// POST /api/auth/signup — create a user and an organization they administer; public, throttled per email and client address.
// With SMTP configured: 202 {"status":"verification_sent"} whether or not the email has an account (lib/auth/accounts.ts).
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { ZSignUp } from '@/lib/orgs/schema'
import { signUp } from '@/lib/auth/accounts'
import { clientAddress } from '@/lib/http/client-address'

export async function POST(req: Request): Promise<Response> {
  try {
    const input = parseOrThrow(ZSignUp, await readJson(req, 16 * 1024), 'Please fix the highlighted fields')
    const answer = await signUp(input, clientAddress(req.headers))
    return json(answer, answer.status === 'created' ? 201 : 202)
  } catch (e) {
    return errorResponse(e)
  }
}
