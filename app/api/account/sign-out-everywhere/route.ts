// POST /api/account/sign-out-everywhere — the signed-in user ends every session of theirs, this one included.
import { errorResponse, json } from '@/lib/http/route'
import { unauthorized } from '@/lib/errors'
import { sessionUser } from '@/lib/auth/session'
import { signOutEverywhere } from '@/lib/auth/accounts'
import type { TDone } from '@/lib/auth/schema'

export async function POST(): Promise<Response> {
  try {
    const user = await sessionUser()
    if (!user) throw unauthorized('Sign in first')
    await signOutEverywhere(user.id)
    return json({ status: 'ok' } satisfies TDone)
  } catch (e) {
    return errorResponse(e)
  }
}
