// POST /api/account/sign-out-everywhere — the signed-in user ends every session of theirs, this one included.
import { errorResponse, json } from '@/lib/http/route'
import { unauthorized } from '@/lib/errors'
import { assertSameOrigin } from '@/lib/http/origin'
import { env } from '@/lib/env'
import { sessionUser } from '@/lib/auth/session'
import { signOutEverywhere } from '@/lib/auth/accounts'
import type { TDone } from '@/lib/auth/schema'

export async function POST(req: Request): Promise<Response> {
  try {
    const user = await sessionUser()
    if (!user) throw unauthorized('Sign in first')
    assertSameOrigin(req, env().NEXTAUTH_URL) // the session cookie rides along on any site's request (CSRF)
    await signOutEverywhere(user.id)
    return json({ status: 'ok' } satisfies TDone)
  } catch (e) {
    return errorResponse(e)
  }
}
