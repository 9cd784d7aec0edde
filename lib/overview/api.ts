import { endpoint } from '@/lib/http/endpoint'
import { ZOverviewAnswer } from '@/lib/overview/schema'

// The overview's own endpoint (docs/finance.md "The overview"): the month to date as the whole bill. Read with a
// "read" key or fleet.read (it holds the GPU pools' cost and the line items, as Scenario cost does).

export const overview = endpoint({
  method: 'GET',
  path: '/api/v1/overview',
  tag: 'Overview',
  scope: 'read',
  permission: 'fleet.read',
  summary: 'The month to date as the whole bill, part by part',
  description:
    'From the first of this month (UTC) to now: API inference (the calls’ priced cost, every environment and traffic source, less the GPU time they used on the fleet’s pools), GPU capacity (the pools’ paid cost, idle included, as on the fleet page) and the month’s line items; the total equals Scenario cost’s total for the month so far.',
  responses: { 200: { description: 'The month to date', schema: ZOverviewAnswer } },
  example: {},
})
