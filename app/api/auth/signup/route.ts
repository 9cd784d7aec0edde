// POST /api/auth/signup — create a user and an organization they administer; public, from Outlay's own sign-up page only (Origin checked).
import { errorResponse, json, readJson } from '@/lib/http/route'
import { assertSameOrigin } from '@/lib/http/origin'
import { env } from '@/lib/env'
import { parseOrThrow } from '@/lib/validation'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ZSignUp } from '@/lib/orgs/schema'

export async function POST(req: Request): Promise<Response> {
  try {
    // The form signs the new user in right after: another site must not sign a visitor up (and in) to an account it chose.
    assertSameOrigin(req, env().NEXTAUTH_URL)
    const input = parseOrThrow(ZSignUp, await readJson(req, 16 * 1024), 'Please fix the highlighted fields')
    const { org } = await createOrgWithAdmin(input)
    return json({ org_slug: org.slug, org_id: org.id }, 201)
  } catch (e) {
    return errorResponse(e)
  }
}
