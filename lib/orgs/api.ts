import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZOrgSettings, ZOrgSettingsPatch } from '@/lib/orgs/schema'

// The organization's own settings (PRODUCT.md "Users and access"): any member reads them
// (every page shows times in the time zone); admins change them. Signed-in members only.

const ANSWER = { description: 'The organization’s settings', schema: z.strictObject({ organization: ZOrgSettings }) }

export const getOrganization = endpoint({
  method: 'GET',
  path: '/api/v1/organization',
  tag: 'Members',
  permission: 'spend.read',
  summary: 'The organization’s settings',
  description: 'Its name, slug, the time zone its pages show dates and times in, and how many days of raw events it keeps.',
  responses: { 200: ANSWER },
})

export const patchOrganization = endpoint({
  method: 'PATCH',
  path: '/api/v1/organization',
  tag: 'Members',
  permission: 'org.manage',
  summary: 'Change the organization’s settings',
  description:
    'The time zone every page shows dates and times in (IANA name; days of the charts and ranges stay UTC days), and/or the raw-event retention in days (1-400, null: keep them as long as events are accepted). Events older than the retention are deleted by the workers and refused at ingest; rollups are kept.',
  body: { schema: ZOrgSettingsPatch, maxBytes: 4 * 1024, message: 'Invalid organization settings' },
  responses: { 200: ANSWER },
  example: { body: { time_zone: 'Europe/Paris' } },
})
