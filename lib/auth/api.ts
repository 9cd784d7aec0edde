import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZCreateApiKey, ZCreatedApiKey, ZApiKeyView, ZRotateApiKey, ZRotatedApiKey } from '@/lib/auth/keys-schema'
import { ZPutSsoDomains, ZSsoDomainsView } from '@/lib/auth/sso-schema'

// API keys and single sign-on domains (PRODUCT.md "Users and access"): signed-in members only.

const ZKeyId = z.strictObject({ id: z.string().min(1).max(100).meta({ description: 'the API key’s id' }) })

export const listApiKeys = endpoint({
  method: 'GET',
  path: '/api/v1/keys',
  tag: 'API keys',
  permission: 'keys.manage',
  summary: 'List API keys',
  description: 'Never the secrets: a key is shown once, when made.',
  responses: { 200: { description: 'Every key, revoked and expired ones included', schema: z.object({ api_keys: z.array(ZApiKeyView) }) } },
})

export const createApiKey = endpoint({
  method: 'POST',
  path: '/api/v1/keys',
  tag: 'API keys',
  permission: 'keys.manage',
  summary: 'Create an API key',
  description: 'The signed-in member is recorded as its creator.',
  body: { schema: ZCreateApiKey, maxBytes: 16 * 1024, message: 'Invalid API key request' },
  responses: { 201: { description: 'The key’s secret (shown this once) and its view', schema: ZCreatedApiKey } },
  example: { body: { name: 'production ingest', scopes: ['ingest'] } },
})

export const revokeApiKey = endpoint({
  method: 'DELETE',
  path: '/api/v1/keys/{id}',
  tag: 'API keys',
  permission: 'keys.manage',
  summary: 'Revoke an API key',
  description: 'It stops working on every server within seconds.',
  params: ZKeyId,
  responses: { 204: { description: 'Revoked' } },
})

export const rotateApiKey = endpoint({
  method: 'POST',
  path: '/api/v1/keys/{id}/rotate',
  tag: 'API keys',
  permission: 'keys.manage',
  summary: 'Rotate an API key',
  description: 'A new key in place of this one, which stays valid until `overlap_until` (default 24 h, at most 30 days). The body may be left out.',
  params: ZKeyId,
  body: { schema: ZRotateApiKey, maxBytes: 16 * 1024, message: 'Invalid rotation request', optional: true },
  responses: { 201: { description: 'The new key’s secret (shown once), its view and the previous key', schema: ZRotatedApiKey } },
  errors: [409],
})

export const getSsoDomains = endpoint({
  method: 'GET',
  path: '/api/v1/sso/domains',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Email domains allowed to join by single sign-on',
  responses: { 200: { description: 'The domains with the role a new member gets, and whether an OIDC provider is configured', schema: ZSsoDomainsView } },
})

export const putSsoDomains = endpoint({
  method: 'PUT',
  path: '/api/v1/sso/domains',
  tag: 'Members',
  permission: 'members.manage',
  summary: 'Replace the single sign-on domains',
  body: { schema: ZPutSsoDomains, maxBytes: 16 * 1024, message: 'Please fix the highlighted fields' },
  responses: { 200: { description: 'The new list', schema: ZSsoDomainsView } },
  errors: [409],
  example: { body: { domains: [{ domain: 'example.com', role: 'viewer' }] } },
})
