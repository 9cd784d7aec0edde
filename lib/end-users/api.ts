import { endpoint } from '@/lib/http/endpoint'
import { ZEndUsersAnswer, ZEndUsersQuery } from '@/lib/end-users/schema'

// Cost per end user (PRODUCT.md: the event field user_id): an API key with "read", or any member.

export const endUsers = endpoint({
  method: 'GET',
  path: '/api/v1/end-users',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'The end users (user_id) that cost the most, of an account or of the organization',
  description:
    "Per end user over the range: calls, tokens, spend, its share of its account, its account's median user and how many times it, and a flag for a user far above that median (abuse or a runaway integration). Only calls that carry a user_id are counted. Read from rollups kept by the ingest worker, never the raw events.",
  query: ZEndUsersQuery,
  responses: { 200: { description: 'The users, largest cost first', schema: ZEndUsersAnswer } },
  example: { query: { from: '2026-11-01', to: '2026-12-01', account_id: 'contoso' } },
})
