// The glossary (issue 21 "each metric has its definition on hover, in one
// wording used everywhere"): every measure the dashboard shows, its name and
// its one definition. Column headers and KPI tiles show these through the info
// icon (components/ui/info-tip.tsx); a page never words a definition itself.
// The rates two pages compute are here too (retryRate, retryTaxShare), so a
// figure with one name has one formula.
import { PRODUCTION_DEFINITION, WASTE_OUTCOMES } from '@/lib/domain'
import { ratio } from '@/lib/metrics/breakdown'

const WASTE = WASTE_OUTCOMES.join(' or ')

export const METRIC_DEFINITIONS = {
  spend: {
    label: 'Spend',
    definition:
      'The cost of the calls in the period: tokens × the price of the model on the day of the call, in USD. Unpriced calls count $0 until a price is added.',
  },
  share: { label: 'Share', definition: 'This row’s spend ÷ the spend of every row in the table, in the same period and filters.' },
  change: { label: 'Change', definition: 'Spend in this period − spend in the previous period of the same length, in USD.' },
  events: { label: 'Events', definition: 'Calls recorded in the period (one event per model call).' },
  calls: { label: 'Calls', definition: 'Model calls recorded in the period (one event each).' },
  runs: { label: 'Runs', definition: 'Distinct run_id values: one run is one execution of a workflow, counted once on its first call.' },
  cost_per_run: { label: 'Cost per run', definition: 'Spend ÷ runs in the period (production traffic), in USD per run.' },
  calls_per_run: { label: 'Calls per run', definition: 'Calls ÷ runs of the workflow in the period.' },
  cost_per_call: { label: 'Cost per call', definition: 'Spend ÷ calls in the period, in USD per call.' },
  cost_per_accepted_outcome: {
    label: 'Cost per accepted outcome',
    definition: `Production spend ÷ accepted outcomes reported (POST /api/v1/outcomes) in the period. ${PRODUCTION_DEFINITION}`,
  },
  accepted_outcomes: { label: 'Accepted outcomes', definition: 'Outcomes reported as accepted (a user kept the answer, the ticket closed …) in the period.' },
  retry_rate: { label: 'Retry rate', definition: `Calls whose outcome was ${WASTE} ÷ all calls, in the period. A count of calls, not of money.` },
  retry_tax: { label: 'Retry tax', definition: `Spend on calls whose outcome was ${WASTE}, in USD: money paid for answers that were thrown away.` },
  retry_tax_share: {
    label: 'Retry tax %',
    definition: `Retry tax ÷ spend: the share of the money spent on calls whose outcome was ${WASTE}. Weighted by cost, unlike the retry rate.`,
  },
  fallback_rate: { label: 'Fallback rate', definition: 'Calls whose outcome was fallback (another model answered after this one failed) ÷ all calls.' },
  escalation_rate: { label: 'Escalation rate', definition: 'Calls whose outcome was escalation (handed to a larger model or a person) ÷ all calls.' },
  cache_hit_rate: { label: 'Cache hits', definition: 'Cached input tokens ÷ input tokens: the share of the prompt the provider served from its prompt cache.' },
  response_cache: {
    label: 'Response cache',
    definition:
      'Calls answered from a response cache (the gateway’s, or reported with response_cache_hit) instead of the model: each costs $0, and saved what the call it repeats cost, in USD. Not the prompt cache, which discounts input tokens of calls that did go to the model.',
  },
  tokens_per_call: { label: 'Tokens per call', definition: 'Input (or output) tokens ÷ calls in the period.' },
  latency_p50: { label: 'p50 latency', definition: 'The median call’s latency: half of the calls took longer, in milliseconds.' },
  latency_p95: { label: 'p95 latency', definition: 'The latency 95% of calls stay under: one call in twenty is slower, in milliseconds.' },
  raw_cost_per_call: {
    label: 'Raw cost / call',
    definition: 'What a call would cost with every input token at the full price (no prompt cache), in USD per call.',
  },
  cache_adjusted_cost_per_call: {
    label: 'Cache-adjusted / call',
    definition: 'What a call cost with cached input tokens at the cached price, in USD per call.',
  },
  api_cost: { label: 'API cost', definition: 'The cost of the model calls alone: tokens × price, in USD.' },
  fully_loaded_cost: {
    label: 'Fully loaded cost',
    definition: 'API cost plus the allocated rest of the bill (GPU pools, subscriptions, fixed fees split by the scenario’s share), in USD.',
  },
  production: { label: 'Production', definition: PRODUCTION_DEFINITION },
  unpriced: {
    label: 'Unpriced',
    definition:
      'Calls of a model without a price on the day of the call: their cost is unknown (shown as the "unpriced" badge, never as $0.00) until a price is added on the Pricing page.',
  },
  revenue: { label: 'Revenue', definition: 'Revenue recorded for the account in the whole months of the period (PUT /api/v1/accounts/revenue), in USD.' },
  ai_cost: { label: 'AI cost', definition: 'Production-traffic spend of the account in the whole months of the period, to now, in USD.' },
  ai_cost_share: { label: 'AI cost / revenue', definition: 'AI cost ÷ revenue of the account in the same months.' },
  gross_margin: { label: 'Gross margin', definition: 'Revenue − AI cost of the account in the same months, in USD.' },
  account_flags: {
    label: 'Flags',
    definition:
      'Steps where this account makes at least 1.5× the median account’s calls per run (and 0.5 more), with at least 5 runs of the workflow and 3 accounts to compare with — e.g. a double retrieval.',
  },
  utilization: { label: 'Utilization', definition: 'Average GPU utilization of the pool’s samples in the window (nvidia-smi), in percent.' },
  saving_per_month: { label: 'Saving / month', definition: 'What the change would save over a 30-day month at the measured volume, in USD.' },
  forecast: { label: 'Forecast', definition: 'Spend to the end of the month: spend so far + the daily run rate of the recent days × the days left, in USD.' },
} as const satisfies Record<string, { label: string; definition: string }>

export type TMetricTerm = keyof typeof METRIC_DEFINITIONS
export const METRIC_TERMS = Object.keys(METRIC_DEFINITIONS) as TMetricTerm[]

/** A measure's name and its one definition. */
export function definitionOf(term: TMetricTerm): { term: TMetricTerm; label: string; definition: string } {
  const d = METRIC_DEFINITIONS[term]
  return { term, label: d.label, definition: d.definition }
}

/** The term a label names ("Retry rate", "retry tax %"), case-insensitively; null for a label the glossary has not. */
export function termOfLabel(label: string): TMetricTerm | null {
  const l = label.trim().toLowerCase()
  return METRIC_TERMS.find((t) => METRIC_DEFINITIONS[t].label.toLowerCase() === l) ?? null
}

/** Retry rate: calls whose outcome was retry or error ÷ calls (0 without calls). The decision record's and the account page's. */
export const retryRate = (wasteCalls: number, calls: number): number => (calls > 0 ? wasteCalls / calls : 0)

/**
 * Retry tax %: spend on retry and error calls ÷ spend, both exact micro-dollars (0 without spend). The workflow
 * pages' "Retry tax %": money-weighted, so it differs from the retry rate when retried calls cost more or less than
 * the others (4.6% of the spend can be 5.7% of the calls).
 */
export const retryTaxShare = (wasteMicros: bigint, costMicros: bigint): number => (costMicros <= 0n ? 0 : ratio(wasteMicros, costMicros))
