import { z } from 'zod'
// Relative, not '@/': Playwright specs and plain scripts load this file too.
import { fromScaled, toScaled } from './cost/money'

// The shared vocabulary of Outlay, defined once: the values an inference event
// may carry (PRODUCT.md, "The inference event": never rename them), the
// dimensions the metrics group by, time spans and the money scale. Pure: the
// browser, the server, the workers and the scripts all import it.
// A list of these values written anywhere else is a copy waiting to drift.

/** `z.enum` with the ingest contract's message: "must be one of a, b, c" (clients read it: keep it). */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` })

// ---------------------------------------------------------------- event vocabulary

/** Where a call ran. */
export const ENVIRONMENTS = ['production', 'staging', 'development'] as const
export const ZEnvironment = oneOf(ENVIRONMENTS)
export type TEnvironment = (typeof ENVIRONMENTS)[number]
/** An event without an environment (and a key without a default) counts as production. */
export const DEFAULT_ENVIRONMENT: TEnvironment = 'production'

/** Why a call was made: customer traffic, or one of the internal kinds. */
export const TRAFFIC_SOURCES = ['production', 'eval', 'replay', 'ops'] as const
export const ZTrafficSource = oneOf(TRAFFIC_SOURCES)
export type TTrafficSource = (typeof TRAFFIC_SOURCES)[number]
export const DEFAULT_TRAFFIC_SOURCE: TTrafficSource = 'production'
/** The traffic of evaluations (eval runs and replays of production traffic): the "eval" side of the audit report and of scenario costs. */
export const EVAL_TRAFFIC_SOURCES = ['eval', 'replay'] as const satisfies readonly TTrafficSource[]

/**
 * Production, defined once: a call from customer traffic (traffic_source
 * production) in the production environment; both must hold. Eval, replay and
 * ops traffic and staging or development calls are not production, whatever
 * the other field says. Every "production" figure (metrics'
 * production_cost_usd, the monthly report, budgets' cost per accepted outcome,
 * Scenario cost's production inference, the audit) reads it; the UI states it
 * on hover (PRODUCTION_DEFINITION).
 */
export const PRODUCTION_CALL = { traffic_source: 'production', environment: 'production' } as const satisfies {
  traffic_source: TTrafficSource
  environment: TEnvironment
}
export const PRODUCTION_DEFINITION =
  'Production: calls with traffic_source production in the production environment (both). Eval, replay and ops traffic, and staging and development calls, are not production.'
export const isProductionCall = (trafficSource: string | null | undefined, environment: string | null | undefined): boolean =>
  trafficSource === PRODUCTION_CALL.traffic_source && environment === PRODUCTION_CALL.environment
/** The same as a metrics filter (GET /api/v1/metrics: traffic_source and environment lists). */
export const PRODUCTION_FILTER = { traffic_source: [PRODUCTION_CALL.traffic_source], environment: [PRODUCTION_CALL.environment] }
/** The same as SQL, on a table (alias) with traffic_source and environment columns. */
export const productionSql = (alias?: string): string => {
  const a = alias ? `${alias}.` : ''
  return `${a}traffic_source = '${PRODUCTION_CALL.traffic_source}' AND ${a}environment = '${PRODUCTION_CALL.environment}'`
}

/** What kind of call it was. */
export const CALL_TYPES = ['generation', 'embedding', 'rerank', 'tool', 'guardrail', 'other'] as const
export const ZCallType = oneOf(CALL_TYPES)
export type TCallType = (typeof CALL_TYPES)[number]
export const DEFAULT_CALL_TYPE: TCallType = 'generation'

/** How the call ended. */
export const OUTCOMES = ['success', 'retry', 'fallback', 'escalation', 'error'] as const
export const ZOutcome = oneOf(OUTCOMES)
export type TOutcome = (typeof OUTCOMES)[number]
export const DEFAULT_OUTCOME: TOutcome = 'success'
/** The outcomes that count as waste (the retry tax): the spend of a call that had to be redone or failed. */
export const WASTE_OUTCOMES = ['retry', 'error'] as const satisfies readonly TOutcome[]

export const isWasteOutcome = (o: string | null | undefined): boolean => (WASTE_OUTCOMES as readonly string[]).includes(o ?? '')

// ---------------------------------------------------------------- dimensions

/** The dimensions a metric groups and filters by: every key of an event rollup (rollups_hourly keys all of them). */
export const DIMENSIONS = [
  'environment',
  'traffic_source',
  'workflow_id',
  'step',
  'call_type',
  'feature',
  'account_id',
  'provider',
  'model',
  'outcome',
] as const
export const ZDimension = oneOf(DIMENSIONS)
export type TDimension = (typeof DIMENSIONS)[number]

/** The dimensions of a business outcome (the outcome rollups' key): a subset of DIMENSIONS. */
export const OUTCOME_DIMENSIONS = ['workflow_id', 'feature', 'account_id'] as const satisfies readonly TDimension[]
export type TOutcomeDimension = (typeof OUTCOME_DIMENSIONS)[number]

// ---------------------------------------------------------------- time

export const SECOND_MS = 1000
export const MINUTE_MS = 60 * SECOND_MS
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS
export const WEEK_MS = 7 * DAY_MS
/** In seconds, for the APIs that count in seconds (session lifetime, queue retention). */
export const DAY_S = DAY_MS / SECOND_MS

// ---------------------------------------------------------------- money

/** Money is integer micro-dollars (bigint) or exact decimal strings with this many decimals: never summed floats. */
export const USD_DECIMALS = 6
export const MICROS_PER_USD = 1_000_000n

/** A USD amount (decimal string or number, as the API and the rollups give it) → integer micro-dollars, rounded half up. */
export const micros = (usd: string | number): bigint => toScaled(usd, USD_DECIMALS)
/** Micro-dollars → an exact USD decimal string with 6 decimals ("1.500000"). */
export const microsToUsd = (m: bigint): string => fromScaled(m, USD_DECIMALS)
/** Micro-dollars → a float of USD: for drawing (a chart's height, a sparkline) only, never to sum or compare money. */
export const microsToNumber = (m: bigint): number => Number(microsToUsd(m))
