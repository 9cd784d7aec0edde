// GET /api/v1/policies/:id/diff?from=<version>&to=<version> — what changed
// between two versions and the model each selected. A "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { diffVersions } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.diffPolicy, ({ org, params, query }) => diffVersions(org.orgId, params.id, query.from, query.to))
