// POST /api/account/password {current_password, new_password} — the signed-in user changes their password; ends every session (the form signs in again).
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { unauthorized } from '@/lib/errors'
import { assertSameOrigin } from '@/lib/http/origin'
import { env } from '@/lib/env'
import { sessionUser } from '@/lib/auth/session'
import { ZChangePassword, type TDone } from '@/lib/auth/schema'
import { changePassword } from '@/lib/auth/accounts'

export async function POST(req: Request): Promise<Response> {
  try {
    const user = await sessionUser()
    if (!user) throw unauthorized('Sign in first')
    assertSameOrigin(req, env().NEXTAUTH_URL) // the session cookie rides along on any site's request (CSRF)
    const input = parseOrThrow(ZChangePassword, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    await changePassword(user.id, input.current_password, input.new_password)
    return json({ status: 'ok' } satisfies TDone)
  } catch (e) {
    return errorResponse(e)
  }
}
