// The events bench:ingest sends, at a chosen cardinality (issue 22).
//
// The demo generator's templates give every event's measures (tokens, latency,
// outcome, call type, input hash…); a cardinality spreads its keys: each
// dimension drawn uniformly from that many values (0 keeps the template's own
// value), and its timestamp uniformly over the last `spreadMinutes` (0: now).
// With the `low` cardinality (the templates as they are, every timestamp now) a
// group commit's events mostly add to rollup rows that already exist; with the
// `realistic` one (hundreds of accounts × workflows × steps × models ×
// features over two hours) nearly every event lands in rollup rows of its own,
// as on the 10M-event bench organization (4.8M hourly rows for 10M events).
// Pure and seeded: the same seed gives the same keys.
import { Rng, type TDemoEvent } from '../../lib/demo/generate'

export type TCardinality = {
  accounts: number
  workflows: number
  /** step names per workflow */
  steps: number
  /** 1–MODELS.length, each priced by the bundled catalog */
  models: number
  features: number
  users: number
  /** timestamps uniformly over [now − spreadMinutes, now] */
  spreadMinutes: number
}

/** Real, catalog-priced models: a made-up name would count every event unpriced (another rollup path). */
export const MODELS: readonly { provider: string; model: string }[] = [
  { provider: 'openai', model: 'gpt-4o' },
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'openai', model: 'gpt-4.1' },
  { provider: 'openai', model: 'gpt-4.1-mini' },
  { provider: 'openai', model: 'gpt-4.1-nano' },
  { provider: 'openai', model: 'o3-mini' },
  { provider: 'openai', model: 'o4-mini' },
  { provider: 'openai', model: 'o3' },
  { provider: 'openai', model: 'gpt-5' },
  { provider: 'openai', model: 'gpt-5-mini' },
  { provider: 'anthropic', model: 'claude-haiku-4-5' },
  { provider: 'anthropic', model: 'claude-opus-4-1' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { provider: 'anthropic', model: 'claude-3-5-haiku-latest' },
  { provider: 'google', model: 'gemini-2.5-flash' },
  { provider: 'google', model: 'gemini-2.5-pro' },
]

const KEYS = ['accounts', 'workflows', 'steps', 'models', 'features', 'users', 'spreadMinutes'] as const

export const CARDINALITIES = {
  /** the demo templates as they are, every timestamp now: what bench:ingest sent before issue 22 */
  low: { accounts: 0, workflows: 0, steps: 0, models: 0, features: 0, users: 0, spreadMinutes: 0 },
  /** the realistic load */
  realistic: { accounts: 400, workflows: 60, steps: 8, models: 16, features: 40, users: 5000, spreadMinutes: 120 },
} as const satisfies Record<string, TCardinality>

/**
 * `low`, `realistic`, or `realistic` changed by `key=value` pairs (`accounts=200,spreadMinutes=60`;
 * a bare list of pairs starts from `low`): the --cardinality option.
 */
export function parseCardinality(spec: string): { name: string; c: TCardinality } {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const named = parts[0] && !parts[0].includes('=') ? parts.shift()! : 'low'
  if (!(named in CARDINALITIES)) throw new Error(`--cardinality: unknown load ${named} (low, realistic, or key=value pairs)`)
  const c: TCardinality = { ...CARDINALITIES[named as keyof typeof CARDINALITIES] }
  for (const p of parts) {
    const [k, v] = p.split('=')
    if (!(KEYS as readonly string[]).includes(k)) throw new Error(`--cardinality: unknown key ${k} (${KEYS.join(', ')})`)
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0 || n > 10_000_000) throw new Error(`--cardinality: ${k} must be an integer ≥ 0`)
    c[k as (typeof KEYS)[number]] = n
  }
  if (c.models > MODELS.length) throw new Error(`--cardinality: models at most ${MODELS.length}`)
  return { name: parts.length ? `${named}(${parts.join(',')})` : named, c }
}

export const describeCardinality = (c: TCardinality): string =>
  c.accounts + c.workflows + c.steps + c.models + c.features + c.users + c.spreadMinutes === 0
    ? 'demo templates, every timestamp now'
    : KEYS.map((k) => `${k} ${c[k] || 'as the templates'}`).join(', ')

export type TEvent = Record<string, unknown>

/** Batches of events with fresh ids (`<tag>-<seq>-<i>`), the templates' measures and the cardinality's keys. */
export class EventFactory {
  private cursor = 0
  private readonly rng: Rng
  constructor(
    private readonly templates: readonly TDemoEvent[],
    private readonly tag: string,
    private readonly c: TCardinality = CARDINALITIES.low,
    seed = 22,
  ) {
    if (templates.length === 0) throw new Error('no templates')
    this.rng = new Rng(seed)
  }

  private pick(n: number): number {
    return Math.floor(this.rng.next() * n)
  }

  batch(seq: number, size: number, workflowId?: string, nowMs = Date.now()): TEvent[] {
    const now = new Date(nowMs).toISOString()
    const c = this.c
    const out: TEvent[] = []
    for (let i = 0; i < size; i++) {
      const t = this.templates[this.cursor++ % this.templates.length]
      const e: TEvent = { ...t, id: `${this.tag}-${seq}-${i}`, timestamp: now, run_id: `${this.tag}-${t.run_id}` }
      if (c.spreadMinutes > 0) e.timestamp = new Date(nowMs - Math.floor(this.rng.next() * c.spreadMinutes * 60_000)).toISOString()
      if (c.workflows > 0) e.workflow_id = `wf-${this.pick(c.workflows)}`
      if (c.steps > 0) e.step = `step-${this.pick(c.steps)}`
      if (c.accounts > 0) e.account_id = `acct-${this.pick(c.accounts)}`
      if (c.features > 0) e.feature = `feature-${this.pick(c.features)}`
      if (c.users > 0) e.user_id = `user-${this.pick(c.users)}`
      if (c.models > 0) Object.assign(e, MODELS[this.pick(c.models)])
      if (workflowId) e.workflow_id = workflowId
      out.push(e)
    }
    return out
  }
}
