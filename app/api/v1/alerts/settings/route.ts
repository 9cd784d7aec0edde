// GET/PUT /api/v1/alerts/settings — the drift detectors' settings (margins over the baselines, minimum counts,
// anomaly threshold); GET: "read" key or any member; PUT (only the fields sent change): "write" key or alerts.configure (admin, engineer).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { getDriftConfig, updateDriftConfig } from '@/lib/alerts'
import { ZDriftSettingsPatch } from '@/lib/alerts/schema'

export const GET = withOrg(async (_req, { org }) => json({ settings: await getDriftConfig(org.orgId) }), { scope: 'read', permission: 'metrics.read' })

export const PUT = withOrg(
  async (req, { org }) => json({ settings: await updateDriftConfig(org.orgId, parseOrThrow(ZDriftSettingsPatch, await readJson(req, 4096), 'Invalid alert settings')) }),
  { scope: 'write', permission: 'alerts.configure' },
)
