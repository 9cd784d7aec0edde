import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZChannel, ZChannelCreate, ZChannelId, ZChannelPatch, ZChannelWithSecret, ZDeliveriesQuery, ZDelivery } from '@/lib/notifications/schema'

// Notification channels (PRODUCT.md "Budgets and alerts"): webhooks and email.
// Read with a "read" key or as any member (webhook URLs cut to their host unless
// the reader is an admin, an engineer or a "write" key); changed with a "write"
// key or alerts.configure. A webhook's signing secret is answered once.

const BODY = { maxBytes: 64 * 1024, message: 'Invalid channel' } as const

export const listChannels = endpoint({
  method: 'GET',
  path: '/api/v1/channels',
  tag: 'Channels',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'List notification channels',
  responses: {
    200: {
      description: 'The channels, and whether email can be sent (SMTP configured)',
      schema: z.object({ channels: z.array(ZChannel), email_configured: z.boolean() }),
    },
  },
})

export const createChannel = endpoint({
  method: 'POST',
  path: '/api/v1/channels',
  tag: 'Channels',
  scope: 'write',
  permission: 'alerts.configure',
  summary: 'Create a webhook or email channel',
  description:
    'A webhook gets a signing secret, answered here once (HMAC-SHA256 of the body in `x-outlay-signature`). The URL must not resolve to a private address.',
  body: { schema: ZChannelCreate, ...BODY },
  responses: { 201: { description: 'The channel, with its secret once', schema: ZChannelWithSecret } },
  example: { body: { name: 'Finance email', type: 'email', emails: ['finance@example.com'] } },
})

export const getChannel = endpoint({
  method: 'GET',
  path: '/api/v1/channels/{id}',
  tag: 'Channels',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'One channel',
  params: ZChannelId,
  responses: { 200: { description: 'The channel, as in the list', schema: z.object({ channel: ZChannel }) } },
})

export const updateChannel = endpoint({
  method: 'PATCH',
  path: '/api/v1/channels/{id}',
  tag: 'Channels',
  scope: 'write',
  permission: 'alerts.configure',
  summary: 'Change a channel',
  description: '`{"rotate_secret": true}` makes a new webhook secret, answered once.',
  params: ZChannelId,
  body: { schema: ZChannelPatch, ...BODY },
  responses: { 200: { description: 'The channel, with a new secret when rotated', schema: ZChannelWithSecret } },
})

export const deleteChannel = endpoint({
  method: 'DELETE',
  path: '/api/v1/channels/{id}',
  tag: 'Channels',
  scope: 'write',
  permission: 'alerts.configure',
  summary: 'Delete a channel',
  params: ZChannelId,
  responses: { 204: { description: 'Deleted' } },
})

export const channelDeliveries = endpoint({
  method: 'GET',
  path: '/api/v1/channels/{id}/deliveries',
  tag: 'Channels',
  scope: 'read',
  permission: 'metrics.read',
  summary: "A channel's delivery log",
  description: 'Newest first; each attempt with its status code, duration and error.',
  params: ZChannelId,
  query: ZDeliveriesQuery,
  responses: { 200: { description: 'The deliveries', schema: z.object({ deliveries: z.array(ZDelivery) }) } },
})

export const testChannel = endpoint({
  method: 'POST',
  path: '/api/v1/channels/{id}/test',
  tag: 'Channels',
  scope: 'write',
  permission: 'alerts.configure',
  summary: 'Send a test notification',
  description: 'Queued like an alert’s: same signature, retries and delivery log.',
  params: ZChannelId,
  responses: { 202: { description: 'The queued delivery', schema: z.object({ delivery: ZDelivery }) } },
})
