// GET/PUT /api/v1/sso/domains — allowed email domains for single sign-on [{domain, role}] (PUT replaces the list); signed-in admin (members.manage).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { oidcConfig } from '@/lib/env'
import { listSsoDomains, replaceSsoDomains } from '@/lib/auth/sso'
import { ZPutSsoDomains, type TSsoDomainsView } from '@/lib/auth/sso-schema'

const view = (domains: TSsoDomainsView['domains']): TSsoDomainsView => ({ domains, sso_configured: oidcConfig() !== null })

export const GET = withOrg(async (_req, { org }) => json(view(await listSsoDomains(org.orgId))), { permission: 'members.manage' })

export const PUT = withOrg(
  async (req, { org }) => {
    const input = parseOrThrow(ZPutSsoDomains, await readJson(req, 16 * 1024), 'Please fix the highlighted fields')
    return json(view(await replaceSsoDomains(org.orgId, input)))
  },
  { permission: 'members.manage' },
)
