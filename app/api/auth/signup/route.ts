// POST /api/auth/signup — create a user and an organization they administer; public.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ZSignUp } from '@/lib/orgs/schema'

export async function POST(req: Request): Promise<Response> {
  try {
    const input = parseOrThrow(ZSignUp, await readJson(req, 16 * 1024), 'Please fix the highlighted fields')
    const { org } = await createOrgWithAdmin(input)
    return json({ org_slug: org.slug, org_id: org.id }, 201)
  } catch (e) {
    return errorResponse(e)
  }
}
