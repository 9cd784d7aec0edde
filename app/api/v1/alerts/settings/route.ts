// GET/PUT /api/v1/alerts/settings — the drift detectors' settings (margins over the baselines, minimum counts,
// anomaly threshold); GET: "read" key or any member; PUT (only the fields sent change): "write" key or alerts.configure (admin, engineer).
import { withOrg } from '@/lib/http/route'
import { getDriftConfig, updateDriftConfig } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const GET = withOrg(api.getAlertSettings, async ({ org }) => ({ settings: await getDriftConfig(org.orgId) }))

export const PUT = withOrg(api.updateAlertSettings, async ({ org, body }) => ({ settings: await updateDriftConfig(org.orgId, body) }))
