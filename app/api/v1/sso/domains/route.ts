// GET/PUT /api/v1/sso/domains — allowed email domains for single sign-on [{domain, role}] (PUT replaces the list); signed-in admin (members.manage).
import { withOrg } from '@/lib/http/route'
import { oidcConfig } from '@/lib/env'
import { listSsoDomains, replaceSsoDomains } from '@/lib/auth/sso'
import type { TSsoDomainsView } from '@/lib/auth/sso-schema'
import * as api from '@/lib/auth/api'

const view = (domains: TSsoDomainsView['domains']): TSsoDomainsView => ({ domains, sso_configured: oidcConfig() !== null })

export const GET = withOrg(api.getSsoDomains, async ({ org }) => view(await listSsoDomains(org.orgId)))

export const PUT = withOrg(api.putSsoDomains, async ({ org, body }) => view(await replaceSsoDomains(org.orgId, body)))
