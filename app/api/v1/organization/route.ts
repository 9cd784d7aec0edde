// GET/PATCH /api/v1/organization — the organization's settings (its time zone). GET: any member; PATCH: admins (org.manage).
import { withOrg } from '@/lib/http/route'
import { orgSettings, setOrgSettings } from '@/lib/orgs'
import * as api from '@/lib/orgs/api'

export const GET = withOrg(api.getOrganization, async ({ org }) => ({ organization: await orgSettings(org.orgId) }))

export const PATCH = withOrg(api.patchOrganization, async ({ org, body }) => ({ organization: await setOrgSettings(org.orgId, body) }))
