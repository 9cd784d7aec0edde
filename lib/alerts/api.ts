import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZAlert, ZAlertId, ZAlertListQuery, ZAlertMute, ZDriftConfig, ZDriftSettingsPatch, ZMuteBody, ZMuteId } from '@/lib/alerts/schema'

// The alerts endpoints' contract (PRODUCT.md "Budgets and alerts"): budget and drift
// alerts, their mutes and the drift detectors' settings. Read with a "read" key or
// as any member; acknowledged and muted with a "write" key or alerts.write; the
// settings changed with a "write" key or alerts.configure.

const SMALL_BODY = 4096

export const listAlerts = endpoint({
  method: 'GET',
  path: '/api/v1/alerts',
  tag: 'Alerts',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'Budget and drift alerts, newest first',
  description:
    'Filtered by kind (comma-separated) and state: open (neither acknowledged, resolved nor muted), acknowledged, resolved, muted (fired muted, or its source muted now).',
  query: ZAlertListQuery,
  responses: { 200: { description: 'The alerts', schema: z.object({ alerts: z.array(ZAlert) }) } },
  example: { query: { kind: 'budget,spend_anomaly', state: 'open', limit: '20' } },
})

export const acknowledgeAlert = endpoint({
  method: 'POST',
  path: '/api/v1/alerts/{id}/ack',
  tag: 'Alerts',
  scope: 'write',
  permission: 'alerts.write',
  summary: 'Acknowledge an alert',
  description: 'Acknowledging again keeps the first acknowledgement time.',
  params: ZAlertId,
  responses: { 200: { description: 'Acknowledged', schema: z.object({ ok: z.literal(true) }) } },
})

export const muteAlert = endpoint({
  method: 'POST',
  path: '/api/v1/alerts/{id}/mute',
  tag: 'Alerts',
  scope: 'write',
  permission: 'alerts.write',
  summary: "Mute an alert's source for a while",
  description:
    'Mutes the source (the budget, or the detector and subject): its alerts are still recorded and listed as muted, but not notified. Muting again moves the end.',
  params: ZAlertId,
  body: { schema: ZMuteBody, maxBytes: SMALL_BODY, message: 'Invalid mute' },
  responses: { 201: { description: 'The mute in force', schema: z.object({ mute: ZAlertMute }) } },
})

export const listMutes = endpoint({
  method: 'GET',
  path: '/api/v1/alerts/mutes',
  tag: 'Alerts',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'The mutes in force',
  responses: { 200: { description: 'Mutes still in force, the soonest to end first', schema: z.object({ mutes: z.array(ZAlertMute) }) } },
})

export const unmute = endpoint({
  method: 'DELETE',
  path: '/api/v1/alerts/mutes/{id}',
  tag: 'Alerts',
  scope: 'write',
  permission: 'alerts.write',
  summary: 'End a mute now',
  params: ZMuteId,
  responses: { 204: { description: 'Unmuted' } },
})

export const getAlertSettings = endpoint({
  method: 'GET',
  path: '/api/v1/alerts/settings',
  tag: 'Alerts',
  scope: 'read',
  permission: 'metrics.read',
  summary: "The drift detectors' settings",
  description:
    'Margins over the 4-week baselines (0.25 = 25%), minimum counts, and the spend anomaly threshold: the organization’s own values over the defaults.',
  responses: { 200: { description: 'The settings in force', schema: z.object({ settings: ZDriftConfig }) } },
})

export const updateAlertSettings = endpoint({
  method: 'PUT',
  path: '/api/v1/alerts/settings',
  tag: 'Alerts',
  scope: 'write',
  permission: 'alerts.configure',
  summary: "Change the drift detectors' settings",
  description: 'Only the fields sent change; the others keep their values.',
  body: { schema: ZDriftSettingsPatch, maxBytes: SMALL_BODY, message: 'Invalid alert settings' },
  responses: { 200: { description: 'The settings in force after the change', schema: z.object({ settings: ZDriftConfig }) } },
  example: { body: { cost_per_outcome_margin: 0.3, anomaly_min_usd: '5' } },
})
