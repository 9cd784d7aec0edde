import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZBudgetCreate, ZBudgetHistory, ZBudgetId, ZBudgetPatch, ZBudgetView } from '@/lib/budgets/schema'

// The budgets endpoints' contract (PRODUCT.md "Budgets and alerts"): read with a
// "read" key or as any member; changed with a "write" key or budgets.write.

const BODY = { maxBytes: 64 * 1024, message: 'Invalid budget' } as const

export const listBudgets = endpoint({
  method: 'GET',
  path: '/api/v1/budgets',
  tag: 'Budgets',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'List budgets with their current status',
  responses: { 200: { description: 'Every budget of the organization, measured now', schema: z.object({ budgets: z.array(ZBudgetView) }) } },
})

export const createBudget = endpoint({
  method: 'POST',
  path: '/api/v1/budgets',
  tag: 'Budgets',
  scope: 'write',
  permission: 'budgets.write',
  summary: 'Create a budget',
  description:
    'A spend, cost-per-run or cost-per-accepted-outcome budget over a day, a calendar month or a rolling window, scoped by environment, workflow, account and feature. Thresholds alert; a hard cutoff throttles or denies the calls it covers once exceeded.',
  body: { schema: ZBudgetCreate, ...BODY },
  responses: { 201: { description: 'The budget, measured now', schema: z.object({ budget: ZBudgetView }) } },
  example: { body: { name: 'Support bot daily', workflow_id: 'support-bot', period: 'day', metric: 'spend', amount_usd: '250' } },
})

export const getBudget = endpoint({
  method: 'GET',
  path: '/api/v1/budgets/{id}',
  tag: 'Budgets',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'One budget with its current status',
  params: ZBudgetId,
  responses: { 200: { description: 'The budget, measured now', schema: z.object({ budget: ZBudgetView }) } },
})

export const updateBudget = endpoint({
  method: 'PATCH',
  path: '/api/v1/budgets/{id}',
  tag: 'Budgets',
  scope: 'write',
  permission: 'budgets.write',
  summary: 'Change a budget',
  params: ZBudgetId,
  body: { schema: ZBudgetPatch, ...BODY },
  responses: { 200: { description: 'The changed budget, measured now', schema: z.object({ budget: ZBudgetView }) } },
})

export const deleteBudget = endpoint({
  method: 'DELETE',
  path: '/api/v1/budgets/{id}',
  tag: 'Budgets',
  scope: 'write',
  permission: 'budgets.write',
  summary: 'Delete a budget',
  params: ZBudgetId,
  responses: { 204: { description: 'Deleted' } },
})

export const budgetHistory = endpoint({
  method: 'GET',
  path: '/api/v1/budgets/{id}/history',
  tag: 'Budgets',
  scope: 'read',
  permission: 'metrics.read',
  summary: "A budget's current period as a series, and its state changes",
  description:
    'Burn-down for spend budgets (spend per hour of a day or per day of a month, cumulative, even pace, projection); value per bucket for per-run and per-outcome budgets.',
  params: ZBudgetId,
  responses: { 200: { description: 'The series and the state changes, newest first', schema: ZBudgetHistory } },
})
