import { describe, expect, it } from 'vitest'
import { accountSteps, accountStepsCsvRows } from './account-detail'

const r = (o: Record<string, unknown>): Record<string, unknown> & { events: number; cost_usd: string } => ({ events: 0, cost_usd: '0.000000', ...o })

// Five accounts run "support" (10 runs each, counted on the run's first step);
// one retrieval per run, except globex, whose new integration retrieves twice
// per run. globex and acme retried or failed some drafts (retry_cost_usd).
const accounts = ['acme', 'globex', 'initech', 'umbrella', 'hooli']
const retry: Record<string, string> = { globex: '0.060000', acme: '0.015000' }
const orgSteps = accounts.flatMap((a) => [
  r({
    account_id: a,
    workflow_id: 'support',
    step: 'retrieve',
    runs: 10,
    events: a === 'globex' ? 20 : 10,
    cost_usd: a === 'globex' ? '0.020000' : '0.010000',
    retry_cost_usd: '0.000000',
  }),
  r({ account_id: a, workflow_id: 'support', step: 'draft', runs: 0, events: 10, cost_usd: '0.300000', retry_cost_usd: retry[a] ?? '0.000000' }),
])

// The page's three reads, as GET /api/v1/metrics answers them: every account's calls and runs per step,
// this account's steps, and the organization's per step.
function inputs(account: string, rows: typeof orgSteps) {
  const sum = (xs: typeof orgSteps, f: 'cost_usd' | 'retry_cost_usd') => (xs.reduce((s, x) => s + Math.round(Number(x[f]) * 1e6), 0) / 1e6).toFixed(6)
  const steps = [...new Set(rows.map((x) => `${x.workflow_id}/${x.step}`))]
  const org = steps.map((k) => {
    const xs = rows.filter((x) => `${x.workflow_id}/${x.step}` === k)
    return r({
      workflow_id: xs[0].workflow_id,
      step: xs[0].step,
      events: xs.reduce((s, x) => s + x.events, 0),
      cost_usd: sum(xs, 'cost_usd'),
      retry_cost_usd: sum(xs, 'retry_cost_usd'),
    })
  })
  // GET /api/v1/metrics/step-medians: per step, the median over accounts of calls ÷ the account's runs of the workflow
  const runsOf = (a: unknown) => rows.filter((x) => x.account_id === a).reduce((s, x) => s + (x.runs as number), 0)
  const medians = steps.map((k) => {
    const xs = rows
      .filter((x) => `${x.workflow_id}/${x.step}` === k)
      .map((x) => x.events / runsOf(x.account_id))
      .sort((a, b) => a - b)
    const m = xs.length >> 1
    const [workflow_id, step] = k.split('/')
    return { workflow_id, step, accounts: xs.length, median_calls_per_run: xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2 }
  })
  return { medians, mine: rows.filter((x) => x.account_id === account), org }
}

describe('accountSteps', () => {
  it('flags a step the account calls twice per run where the median account calls it once', () => {
    const rows = accountSteps(inputs('globex', orgSteps))
    expect(rows.map((x) => x.step)).toEqual(['draft', 'retrieve'])
    const retrieve = rows.find((x) => x.step === 'retrieve')!
    expect(retrieve).toMatchObject({ calls: 20, runs: 10, calls_per_run: 2, median_calls_per_run: 1, peers: 5, flagged: true })
    expect(rows.find((x) => x.step === 'draft')).toMatchObject({ calls_per_run: 1, median_calls_per_run: 1, flagged: false })
  })

  it('does not flag the ordinary accounts', () => {
    for (const a of ['acme', 'initech']) expect(accountSteps(inputs(a, orgSteps)).some((x) => x.flagged)).toBe(false)
  })

  it('compares the account’s retry tax at a step with every account’s', () => {
    const draft = accountSteps(inputs('globex', orgSteps)).find((x) => x.step === 'draft')!
    expect(draft.retry_share).toBe(0.2) // 0.06 of 0.30
    expect(draft.org_retry_share).toBe(0.05) // 0.075 of 1.50
  })

  it('needs enough runs before it flags anything', () => {
    const steps = orgSteps.map((x) => (x.account_id === 'globex' && x.step === 'retrieve' ? { ...x, runs: 2, events: 4 } : x))
    expect(accountSteps(inputs('globex', steps)).some((x) => x.flagged)).toBe(false)
  })

  it('shares of the account’s spend and an exact CSV', () => {
    const rows = accountSteps(inputs('globex', orgSteps))
    expect(rows[0].share + rows[1].share).toBeCloseTo(1, 5)
    const csv = accountStepsCsvRows(rows)
    expect(csv[0]).toEqual([
      'workflow',
      'step',
      'calls',
      'spend_usd',
      'share_percent',
      'runs',
      'calls_per_run',
      'median_calls_per_run',
      'retry_tax_percent',
      'org_retry_tax_percent',
      'flagged',
    ])
    expect(csv[2]).toEqual(['support', 'retrieve', '20', '0.020000', '6.3', '10', '2.00', '1.00', '0.0', '0.0', 'yes'])
  })

  it('leaves the median empty for a step no other account reports, and never flags it', () => {
    const rows = accountSteps({ medians: [], mine: [r({ workflow_id: 'support', step: 'retrieve', runs: 10, events: 40, cost_usd: '0.040000' })], org: [] })
    expect(rows[0]).toMatchObject({ calls_per_run: 4, median_calls_per_run: null, peers: 0, flagged: false })
  })

  it('needs three accounts behind the median', () => {
    const medians = [{ workflow_id: 'support', step: 'retrieve', accounts: 2, median_calls_per_run: 1 }]
    const mine = [r({ workflow_id: 'support', step: 'retrieve', runs: 10, events: 40, cost_usd: '0.040000' })]
    expect(accountSteps({ medians, mine, org: [] })[0].flagged).toBe(false)
    expect(accountSteps({ medians: [{ ...medians[0], accounts: 3 }], mine, org: [] })[0].flagged).toBe(true)
  })
})
