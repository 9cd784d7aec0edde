// "What changed": the spend delta between a baseline period A and a compared
// period B, split into volume, tokens per call, model mix, price and retries,
// with parts that add up to the delta exactly; and the top contributing
// workflows, steps, accounts and models. Pure: the API feeds it rollup cells.
//
// The rule. Cells are (workflow, step, provider, model[, account]) split into
// retry/error calls (waste) and the rest. A chain of counterfactual totals
// goes from A to B changing one factor at a time, per step group
// (workflow, step[, account]):
//   T0 = A
//   T1 volume: each step's non-waste calls set to B's count (runs × calls per
//      run), keeping A's model shares, tokens per call, prices and waste per call
//   T2 tokens: each model's tokens per call set to B's (price-weighted tokens),
//      keeping A's price per token
//   T3 mix:    each model's share of the step's calls set to B's; a model with
//      no calls in A has no baseline price, so all its B spend arrives here; a
//      model gone in B leaves here as well
//   T4 price:  each model's actual B spend (what remains is cost per token)
//   T5 retries: actual B retry/error spend = B
// A step group with no non-waste calls in A (a new workflow or step) moves
// entirely in T1 (volume); one that vanished in B leaves in T1 too (its
// calls scale to zero). Every T is exact at 1e-12 USD (bigint, one rounding
// per term), then rounded to micro-dollars; the parts are the successive
// differences, so they telescope to B − A exactly.
import { microsToUsd as usdOf } from '@/lib/domain'
import { divRound, fromScaled, rescale, toScaled } from '@/lib/cost/money'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { CHANGE_PARTS, type TChangePart, type TChangePartResult, type TContributor } from '@/lib/changes/schema'

const SCALE = 12
const W_SCALE = 9

export { CHANGE_PARTS, type TChangePart, type TChangePartResult, type TContributor } from '@/lib/changes/schema'
export const PART_LABELS: Record<TChangePart, string> = {
  volume: 'Volume',
  tokens: 'Tokens per call',
  mix: 'Model mix',
  price: 'Price',
  retries: 'Retries and errors',
}

/** One rollup cell of one period. Dimensions absent on the events are ''. */
export type TChangeCell = {
  workflow_id: string
  step: string
  provider: string
  model: string
  /** set to split step groups per account as well; leave undefined to pool accounts */
  account_id?: string
  /** outcome retry or error */
  waste: boolean
  events: number
  /** runs started (each run counted once, on its first event) */
  runs: number
  tokens_in: number
  cached_tokens_in: number
  cache_write_tokens: number
  tokens_out: number
  /** exact decimal USD, up to 12 decimals */
  cost_usd: string
}

/** Relative price of each kind of token (e.g. USD per million): weights "tokens per call" so that more output tokens count for what they cost. */
export type TTokenWeights = { input: string; cached_input: string; cache_write: string; output: string }
/** Without a price: plain token counts. */
export const PLAIN_WEIGHTS: TTokenWeights = { input: '1', cached_input: '1', cache_write: '1', output: '1' }

export type TDecomposition = {
  total_a_usd: string
  total_b_usd: string
  delta_usd: string
  /** delta ÷ A; null when A is 0 */
  delta_ratio: number | null
  parts: TChangePartResult[]
}

// ---------------------------------------------------------------- accumulation

type TModelAcc = { provider: string; model: string; n: bigint; units: bigint; tin: bigint; tout: bigint; cost: bigint }
type TSide = { rest: bigint; waste: bigint; wasteCalls: bigint; wasteCost: bigint; models: Map<string, TModelAcc> }
type TGroup = { workflow_id: string; step: string; account_id?: string; a: TSide; b: TSide }

const newSide = (): TSide => ({ rest: 0n, waste: 0n, wasteCalls: 0n, wasteCost: 0n, models: new Map() })
const int = (n: number) => BigInt(Math.trunc(n))
const abs = (n: bigint) => (n < 0n ? -n : n)
const modelName = (provider: string, model: string) => (model ? (provider ? `${provider}/${model}` : model) : '(no model)')
const groupName = (g: { workflow_id: string; step: string; account_id?: string }) =>
  `${g.workflow_id || '(no workflow)'}/${g.step || '(no step)'}${g.account_id !== undefined ? ` for ${g.account_id || '(no account)'}` : ''}`

/** A model's token weights as integers at W_SCALE, parsed once per model (not once per cell: 40k cells on a busy week). */
type TScaledWeights = { input: bigint; cached_input: bigint; cache_write: bigint; output: bigint }
const scaledWeights = (w: TTokenWeights): TScaledWeights => ({
  input: toScaled(w.input, W_SCALE),
  cached_input: toScaled(w.cached_input, W_SCALE),
  cache_write: toScaled(w.cache_write, W_SCALE),
  output: toScaled(w.output, W_SCALE),
})

function units(c: TChangeCell, w: TScaledWeights): bigint {
  const fresh = Math.max(0, c.tokens_in - c.cached_tokens_in - c.cache_write_tokens)
  return int(fresh) * w.input + int(c.cached_tokens_in) * w.cached_input + int(c.cache_write_tokens) * w.cache_write + int(c.tokens_out) * w.output
}

type TRunsAcc = { runs: bigint; calls: bigint }

/** A cell's cost at SCALE, parsed once however many times the decomposition and the contributor lists read it. */
const scaledCost = new WeakMap<TContributorCell, bigint>()
function costOf(c: TContributorCell): bigint {
  let v = scaledCost.get(c)
  if (v === undefined) scaledCost.set(c, (v = toScaled(c.cost_usd, SCALE)))
  return v
}

function collect(a: TChangeCell[], b: TChangeCell[], weightsFor: (provider: string, model: string) => TTokenWeights) {
  const groups = new Map<string, TGroup>()
  // runs and calls per volume group (workflow[, account]), for the volume evidence
  const volume = new Map<string, { label: string; a: TRunsAcc; b: TRunsAcc }>()
  const weights = new Map<string, TScaledWeights>()
  const add = (c: TChangeCell, period: 'a' | 'b') => {
    const gk = JSON.stringify([c.workflow_id, c.account_id ?? null, c.step])
    let g = groups.get(gk)
    if (!g) groups.set(gk, (g = { workflow_id: c.workflow_id, step: c.step, account_id: c.account_id, a: newSide(), b: newSide() }))
    const vk = JSON.stringify([c.workflow_id, c.account_id ?? null])
    let v = volume.get(vk)
    if (!v) {
      const label = `${c.workflow_id || '(no workflow)'}${c.account_id !== undefined ? ` for ${c.account_id || '(no account)'}` : ''}`
      volume.set(vk, (v = { label, a: { runs: 0n, calls: 0n }, b: { runs: 0n, calls: 0n } }))
    }
    v[period].runs += int(c.runs)
    v[period].calls += int(c.events)
    const side = g[period]
    const cost = costOf(c)
    if (c.waste) {
      side.wasteCalls += int(c.events)
      side.wasteCost += cost
      return
    }
    const mk = JSON.stringify([c.provider, c.model])
    let w = weights.get(mk)
    if (!w) weights.set(mk, (w = scaledWeights(weightsFor(c.provider, c.model))))
    let m = side.models.get(mk)
    if (!m) side.models.set(mk, (m = { provider: c.provider, model: c.model, n: 0n, units: 0n, tin: 0n, tout: 0n, cost: 0n }))
    m.n += int(c.events)
    m.units += units(c, w)
    m.tin += int(c.tokens_in)
    m.tout += int(c.tokens_out)
    m.cost += cost
    side.rest += int(c.events)
  }
  for (const c of a) add(c, 'a')
  for (const c of b) add(c, 'b')
  return { groups, volume }
}

/** The chain T0..T5 of one step group, each exact at 1e-12 USD, and the per-model pieces of tokens and price. */
function chain(g: TGroup): { t: bigint[]; perModel: { key: string; a?: TModelAcc; b?: TModelAcc; tokens: bigint; price: bigint; mix: bigint }[] } {
  const { a, b } = g
  const restA = [...a.models.values()].reduce((s, m) => s + m.cost, 0n)
  const restB = [...b.models.values()].reduce((s, m) => s + m.cost, 0n)
  const t0 = restA + a.wasteCost
  const t5 = restB + b.wasteCost
  const perModel: { key: string; a?: TModelAcc; b?: TModelAcc; tokens: bigint; price: bigint; mix: bigint }[] = []
  if (a.rest === 0n) {
    // Nothing to scale from: a new step moves entirely as volume; a step with
    // only retries/errors in both periods moves entirely as retries.
    const mid = b.rest > 0n ? t5 : t0
    return { t: [t0, mid, mid, mid, mid, t5], perModel }
  }
  const NA = a.rest
  const NB = b.rest
  let t1 = 0n,
    t2 = 0n,
    t3 = 0n,
    t4 = 0n
  for (const key of new Set([...a.models.keys(), ...b.models.keys()])) {
    const ma = a.models.get(key)
    const mb = b.models.get(key)
    const inA = !!ma && ma.n > 0n
    const inB = !!mb && mb.n > 0n
    const cA = ma?.cost ?? 0n
    const cB = mb?.cost ?? 0n
    const v1 = divRound(cA * NB, NA)
    const v2 = inA && inB && ma.units > 0n ? divRound(cA * NB * mb.units * ma.n, NA * mb.n * ma.units) : v1
    const v3 = inA && inB ? (ma.units > 0n ? divRound(cA * mb.units, ma.units) : divRound(cA * mb.n, ma.n)) : inB ? cB : 0n
    t1 += v1
    t2 += v2
    t3 += v3
    t4 += cB
    perModel.push({ key, a: ma, b: mb, tokens: v2 - v1, mix: v3 - v2, price: cB - v3 })
  }
  const wasteScaled = divRound(a.wasteCost * NB, NA)
  return { t: [t0, t1 + wasteScaled, t2 + wasteScaled, t3 + wasteScaled, t4 + wasteScaled, t5], perModel }
}

// ---------------------------------------------------------------- decomposition

const ratioOf = (a: bigint, b: bigint) => (b === 0n ? null : Number((a * 1_000_000n) / b) / 1_000_000)
const perCall = (x: bigint, n: bigint) => (n > 0n ? Number(divRound(x, n)) : 0)
const money = (scaled12: bigint) => formatUsd(fromScaled(rescale(scaled12, SCALE, 6), 6))
const share = (n: bigint, total: bigint) => (total > 0n ? formatPercent(Number((n * 10_000n) / total) / 10_000, 0) : '0%')

type TCandidate = { amount: bigint; text: string }
const biggest = (cs: TCandidate[]) =>
  cs.reduce<TCandidate | null>((best, c) => (c.amount !== 0n && (!best || abs(c.amount) > abs(best.amount)) ? c : best), null)

/**
 * Decompose B − A. `weightsFor` gives the relative token prices of a model
 * (the API passes the price book's rates); plain token counts by default.
 */
export function decompose(
  a: TChangeCell[],
  b: TChangeCell[],
  weightsFor: (provider: string, model: string) => TTokenWeights = () => PLAIN_WEIGHTS,
): TDecomposition {
  const { groups, volume } = collect(a, b, weightsFor)
  const totals = [0n, 0n, 0n, 0n, 0n, 0n]
  const evidence: Record<TChangePart, TCandidate[]> = { volume: [], tokens: [], mix: [], price: [], retries: [] }
  const volumeBy = new Map<string, bigint>()
  for (const g of groups.values()) {
    const { t, perModel } = chain(g)
    t.forEach((v, i) => (totals[i] += v))
    const vk = JSON.stringify([g.workflow_id, g.account_id ?? null])
    volumeBy.set(vk, (volumeBy.get(vk) ?? 0n) + t[1] - t[0])
    const where = groupName(g)
    for (const m of perModel) {
      if (m.a && m.b && m.a.n > 0n && m.b.n > 0n) {
        const name = modelName(m.a.provider, m.a.model)
        evidence.tokens.push({
          amount: m.tokens,
          text: `tokens per call in ${where} (${name}): input ${formatCount(perCall(m.a.tin, m.a.n))} → ${formatCount(perCall(m.b.tin, m.b.n))}, output ${formatCount(perCall(m.a.tout, m.a.n))} → ${formatCount(perCall(m.b.tout, m.b.n))}`,
        })
        const perM = (x: TModelAcc) => (x.tin + x.tout > 0n ? money(divRound(x.cost * 1_000_000n, x.tin + x.tout)) : money(divRound(x.cost, x.n)))
        const unit = m.a.tin + m.a.tout > 0n && m.b.tin + m.b.tout > 0n ? 'per million tokens' : 'per call'
        evidence.price.push({ amount: m.price, text: `${name} in ${where}: ${perM(m.a)} → ${perM(m.b)} ${unit}` })
      }
    }
    // mix: the model whose share of the step's calls moved most
    const mixAmount = t[3] - t[2]
    if (mixAmount !== 0n) {
      let best: { name: string; na: bigint; nb: bigint } | null = null
      for (const m of perModel) {
        const na = m.a?.n ?? 0n
        const nb = m.b?.n ?? 0n
        const d = abs(na * g.b.rest - nb * g.a.rest)
        if (!best || d > abs(best.na * g.b.rest - best.nb * g.a.rest)) best = { name: modelName((m.a ?? m.b)!.provider, (m.a ?? m.b)!.model), na, nb }
      }
      if (best)
        evidence.mix.push({ amount: mixAmount, text: `${best.name} share of calls in ${where}: ${share(best.na, g.a.rest)} → ${share(best.nb, g.b.rest)}` })
    }
    const retries = t[5] - t[4]
    if (retries !== 0n)
      evidence.retries.push({
        amount: retries,
        text: `retry and error spend in ${where}: ${money(g.a.wasteCost)} → ${money(g.b.wasteCost)} (${formatCount(Number(g.a.wasteCalls))} → ${formatCount(Number(g.b.wasteCalls))} calls)`,
      })
  }
  for (const [vk, amount] of volumeBy) {
    const v = volume.get(vk)!
    const useRuns = v.a.runs > 0n && v.b.runs > 0n
    evidence.volume.push({
      amount,
      text: useRuns
        ? `runs of ${v.label}: ${formatCount(Number(v.a.runs))} → ${formatCount(Number(v.b.runs))} (calls ${formatCount(Number(v.a.calls))} → ${formatCount(Number(v.b.calls))})`
        : `calls of ${v.label}: ${formatCount(Number(v.a.calls))} → ${formatCount(Number(v.b.calls))}`,
    })
  }
  const micros = totals.map((t) => rescale(t, SCALE, 6))
  const parts = CHANGE_PARTS.map((part, i): TChangePartResult => {
    const amount = micros[i + 1] - micros[i]
    // the evidence moves the same way as the part (a part can net pieces that move both ways)
    const sameWay = evidence[part].filter((c) => c.amount > 0n === amount > 0n)
    return { part, label: PART_LABELS[part], usd: usdOf(amount), explanation: explain(part, amount, biggest(sameWay)) }
  })
  return {
    total_a_usd: usdOf(micros[0]),
    total_b_usd: usdOf(micros[5]),
    delta_usd: usdOf(micros[5] - micros[0]),
    delta_ratio: ratioOf(micros[5] - micros[0], micros[0]),
    parts,
  }
}

const WHAT: Record<TChangePart, [up: string, down: string, none: string]> = {
  volume: ['More calls', 'Fewer calls', 'The number of runs and calls per step did not move spend'],
  tokens: ['More tokens per call', 'Fewer tokens per call', 'Tokens per call did not move spend'],
  mix: ['Calls moved to pricier models', 'Calls moved to cheaper models', 'The share of calls per model did not move spend'],
  price: ['Higher cost per token', 'Lower cost per token', 'Prices did not move spend'],
  retries: ['More spend on retries and errors', 'Less spend on retries and errors', 'Retries and errors did not move spend'],
}

function explain(part: TChangePart, amount: bigint, top: TCandidate | null): string {
  const [up, down, none] = WHAT[part]
  if (amount === 0n) return `${none}.`
  const head = amount > 0n ? up : down
  return top ? `${head}; largest: ${top.text}.` : `${head}.`
}

// ---------------------------------------------------------------- contributors

export const CONTRIBUTOR_DIMENSIONS = ['workflow', 'step', 'account', 'model'] as const
export type TContributorDimension = (typeof CONTRIBUTOR_DIMENSIONS)[number]

/** What a contributor list sums: a cell, or any row with the dimension's fields and a cost. */
export type TContributorCell = Partial<Pick<TChangeCell, 'workflow_id' | 'step' | 'account_id' | 'provider' | 'model'>> & Pick<TChangeCell, 'cost_usd'>

const keyOf: Record<TContributorDimension, (c: TContributorCell) => Partial<TContributor>> = {
  workflow: (c) => ({ workflow_id: c.workflow_id ?? '' }),
  step: (c) => ({ workflow_id: c.workflow_id ?? '', step: c.step ?? '' }),
  account: (c) => ({ account_id: c.account_id ?? '' }),
  model: (c) => ({ provider: c.provider ?? '', model: c.model ?? '' }),
}

/** Spend in A and B and the delta per workflow, step, account or model, largest absolute delta first (ties by key), at most `limit`. */
export function contributors(a: TContributorCell[], b: TContributorCell[], dim: TContributorDimension, limit = 10): TContributor[] {
  const acc = new Map<string, { fields: Partial<TContributor>; a: bigint; b: bigint }>()
  const add = (c: TContributorCell, side: 'a' | 'b') => {
    const fields = keyOf[dim](c)
    const k = JSON.stringify(fields)
    let x = acc.get(k)
    if (!x) acc.set(k, (x = { fields, a: 0n, b: 0n }))
    x[side] += costOf(c)
  }
  for (const c of a) add(c, 'a')
  for (const c of b) add(c, 'b')
  const rows = [...acc.values()].map((x) => {
    const am = rescale(x.a, SCALE, 6)
    const bm = rescale(x.b, SCALE, 6)
    const f = x.fields
    const key =
      dim === 'workflow' ? f.workflow_id! : dim === 'step' ? `${f.workflow_id}/${f.step}` : dim === 'account' ? f.account_id! : modelName(f.provider!, f.model!)
    return { key, f, am, bm, d: bm - am }
  })
  return rows
    .filter((r) => r.d !== 0n)
    .sort((x, y) => (abs(y.d) > abs(x.d) ? 1 : abs(y.d) < abs(x.d) ? -1 : x.key.localeCompare(y.key)))
    .slice(0, limit)
    .map((r) => ({ key: r.key, ...r.f, a_usd: usdOf(r.am), b_usd: usdOf(r.bm), delta_usd: usdOf(r.d) }) as TContributor)
}

/** The cells without their account: step groups pool every account (the decomposition's default view). */
export const poolAccounts = (cells: TChangeCell[]): TChangeCell[] => cells.map(({ account_id: _account, ...c }) => c)
