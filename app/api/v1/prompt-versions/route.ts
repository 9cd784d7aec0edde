// GET /api/v1/prompt-versions — a workflow's spend and tokens by step and prompt version; API key with "read", or any member.
import { withOrg } from '@/lib/http/route'
import { loadPromptVersions } from '@/lib/prompt-versions/load'
import * as api from '@/lib/prompt-versions/api'

export const GET = withOrg(api.promptVersions, async ({ org, query }) => loadPromptVersions(org.orgId, query))
