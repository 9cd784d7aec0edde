// POST /api/invitations/accept {token, name?, password?} — join the invitation's organization: signed in as the invited
// email, or signed out as a new person (name, password). Public, from Outlay's own invitation page only (Origin checked).
import { errorResponse, json, readJson } from '@/lib/http/route'
import { assertSameOrigin } from '@/lib/http/origin'
import { env } from '@/lib/env'
import { parseOrThrow } from '@/lib/validation'
import { sessionUser } from '@/lib/auth/session'
import { clientAddress } from '@/lib/http/client-address'
import { acceptInvitation } from '@/lib/members/invitations'
import { ZAcceptInvitation } from '@/lib/members/schema'

export async function POST(req: Request): Promise<Response> {
  try {
    // The page signs a new person in right after: another site must not make a visitor join (or sign up) in its place.
    assertSameOrigin(req, env().NEXTAUTH_URL)
    const input = parseOrThrow(ZAcceptInvitation, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    return json(await acceptInvitation(input, await sessionUser(), clientAddress(req.headers)), 201)
  } catch (e) {
    return errorResponse(e)
  }
}
