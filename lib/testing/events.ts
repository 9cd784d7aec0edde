// Events for tests. gpt-4o lists $2.50 / M input and $10 / M output tokens, so this call costs exactly $0.35:
// 100k in + 10k out. The budget, alert and enforcement tests count their thresholds in these calls.

/** A $0.35 gpt-4o call of the support workflow's draft step; `over` sets the timestamp, attribution or anything else. */
export const gpt4oCall = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  workflow_id: 'support',
  step: 'draft',
  provider: 'openai',
  model: 'gpt-4o',
  tokens_in: 100_000,
  tokens_out: 10_000,
  ...over,
})
