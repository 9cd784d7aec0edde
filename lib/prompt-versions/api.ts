import { endpoint } from '@/lib/http/endpoint'
import { ZPromptVersionsAnswer, ZPromptVersionsQuery } from '@/lib/prompt-versions/schema'

// A workflow by prompt version (PRODUCT.md: the event field prompt_version): an API key with "read", or any member.

export const promptVersions = endpoint({
  method: 'GET',
  path: '/api/v1/prompt-versions',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: "A workflow's spend, tokens per call and cost per run by step and prompt version",
  description:
    'Per step and prompt_version of the workflow, over the range (read as GET /api/v1/metrics reads it): calls, runs, tokens in, cached and out, spend, and per call and per run. Only calls that carry a prompt_version are counted. Read from rollups kept by the ingest worker, never the raw events.',
  query: ZPromptVersionsQuery,
  responses: { 200: { description: 'The rows by step and version', schema: ZPromptVersionsAnswer } },
  example: { query: { workflow_id: 'support-agent', from: '2026-11-01', to: '2026-12-01' } },
})
