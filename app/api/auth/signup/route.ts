// POST /api/auth/signup — create a user and an organization they administer; public.
import { errorResponse, json, readJson } from '@/lib/http/route'
import { badRequest } from '@/lib/errors'
import { issuesToLines } from '@/lib/validation'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ZSignUp } from '@/lib/orgs/schema'

export async function POST(req: Request): Promise<Response> {
  try {
    const parsed = ZSignUp.safeParse(await readJson(req, 16 * 1024))
    if (!parsed.success) throw badRequest('Please fix the highlighted fields', { errors: issuesToLines(parsed.error.issues) })
    const { org } = await createOrgWithAdmin(parsed.data)
    return json({ org_slug: org.slug, org_id: org.id }, 201)
  } catch (e) {
    return errorResponse(e)
  }
}
