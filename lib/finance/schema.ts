import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'

// The whole bill's parts (lib/finance/whole-bill.ts), client-safe: what the
// organization pays, part by part. The monthly report, the forecast and the
// overview show these same fields.

export const WHOLE_BILL_PARTS = ['api_inference_usd', 'gpu_capacity_usd', 'line_items_usd'] as const
export type TWholeBillPart = (typeof WHOLE_BILL_PARTS)[number]

/** How each part is named in the UI, and what it holds (one wording everywhere). */
export const WHOLE_BILL_LABELS: Record<TWholeBillPart | 'total_usd', { label: string; hint: string }> = {
  api_inference_usd: {
    label: 'API inference',
    hint: "The calls' priced cost (every environment and traffic source), less the GPU time they used on the fleet's pools: that time is paid in GPU capacity.",
  },
  gpu_capacity_usd: {
    label: 'GPU capacity',
    hint: 'What the GPU pools cost over the period, idle GPUs included: GPUs × price per GPU-hour, as on the fleet page.',
  },
  line_items_usd: { label: 'Line items', hint: "Finance's engineering and operations line items of the months in the period (Scenario cost)." },
  total_usd: { label: 'Whole bill', hint: 'API inference + GPU capacity + line items: equals Scenario cost’s total for a month.' },
}

export const ZWholeBillParts = z.object({
  api_inference_usd: ZUsd.meta({ description: WHOLE_BILL_LABELS.api_inference_usd.hint }),
  gpu_capacity_usd: ZUsd.meta({ description: WHOLE_BILL_LABELS.gpu_capacity_usd.hint }),
  line_items_usd: ZUsd.meta({ description: WHOLE_BILL_LABELS.line_items_usd.hint }),
  total_usd: ZUsd.meta({ description: WHOLE_BILL_LABELS.total_usd.hint }),
})
export type TWholeBillParts = z.infer<typeof ZWholeBillParts>

export const ZWholeBillPool = z.object({
  pool: z.string(),
  role: z.string(),
  paid_usd: ZUsd.meta({ description: "the pool's paid capacity over the period, idle included" }),
  used_by_calls_usd: ZUsd.meta({ description: "the calls' GPU time on it at its price (part of the paid capacity, not of API inference)" }),
})
export type TWholeBillPool = z.infer<typeof ZWholeBillPool>

export const ZWholeBillMonth = ZWholeBillParts.extend({ month: z.string(), from: ZInstant, to: ZInstant })
export type TWholeBillMonth = z.infer<typeof ZWholeBillMonth>

export const ZWholeBill = ZWholeBillParts.extend({
  from: ZInstant,
  to: ZInstant.meta({ description: 'the end asked, or now when that is later' }),
  months: z.array(ZWholeBillMonth).meta({ description: 'the calendar months (UTC) the period spans, each cut to the period' }),
  pools: z.array(ZWholeBillPool),
})
export type TWholeBill = z.infer<typeof ZWholeBill>
