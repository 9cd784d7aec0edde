import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZLineItem, ZLineItemCreate, ZLineItemId, ZScenarioCostAnswer, ZScenarioCostQuery } from '@/lib/scenarios/schema'

// The scenario cost endpoints' contract (PRODUCT.md "Scenario cost"): read with a
// "read" key or as any member (fleet.read); line items changed with a "write" key or
// line_items.write (admin, engineer, finance).

export const scenarioCost = endpoint({
  method: 'GET',
  path: '/api/v1/scenarios/cost',
  tag: 'Scenarios',
  scope: 'read',
  permission: 'fleet.read',
  summary: "Each scenario's cost in a month, part by part",
  description:
    'A scenario is a scenario_id, or the workflow when the calls carry none. Parts: production inference, eval and benchmark runs, internal traffic, the GPU pools’ capacity not already charged through calls (allocated by the pool’s rule), and engineering and operations line items; with the cost per accepted outcome.',
  query: ZScenarioCostQuery,
  responses: { 200: { description: 'The month, scenarios by total cost, and the pools’ allocation', schema: ZScenarioCostAnswer } },
  example: { query: { month: '2026-11' } },
})

export const listLineItems = endpoint({
  method: 'GET',
  path: '/api/v1/scenarios/line-items',
  tag: 'Scenarios',
  scope: 'read',
  permission: 'fleet.read',
  summary: 'Engineering and operations costs per scenario and month',
  query: ZScenarioCostQuery,
  responses: { 200: { description: 'The line items, newest month first (of one month when asked)', schema: z.object({ line_items: z.array(ZLineItem) }) } },
})

export const createLineItem = endpoint({
  method: 'POST',
  path: '/api/v1/scenarios/line-items',
  tag: 'Scenarios',
  scope: 'write',
  permission: 'line_items.write',
  summary: 'Add an engineering or operations cost to a scenario’s month',
  body: { schema: ZLineItemCreate, maxBytes: 16 * 1024, message: 'Invalid line item' },
  responses: { 201: { description: 'The line item', schema: z.object({ line_item: ZLineItem }) } },
  example: { body: { scenario: 'support-bot', month: '2026-11', category: 'operations', amount_usd: '1200', note: 'on-call rotation, 0.5 FTE' } },
})

export const deleteLineItem = endpoint({
  method: 'DELETE',
  path: '/api/v1/scenarios/line-items/{id}',
  tag: 'Scenarios',
  scope: 'write',
  permission: 'line_items.write',
  summary: 'Delete a line item',
  params: ZLineItemId,
  responses: { 204: { description: 'Deleted' } },
})
