import { z } from 'zod'
import { ZInstant } from '@/lib/api/wire'
import { ZWholeBill } from '@/lib/finance/schema'

// GET /api/v1/overview's answer (client-safe): the month to date as the whole bill, part by part
// (lib/finance/whole-bill.ts). The overview's other figures come from their own endpoints (docs/finance.md "The overview").

export const ZOverviewAnswer = z.object({
  as_of: ZInstant.meta({ description: 'the moment the figures were read' }),
  month_to_date: ZWholeBill.meta({
    description:
      'what the organization pays from the first of this month (UTC) to now: API inference, GPU capacity (the pools’ paid cost, idle included) and the month’s line items',
  }),
})
export type TOverviewAnswer = z.infer<typeof ZOverviewAnswer>
