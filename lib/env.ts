import 'server-only'
import { z } from 'zod'

// The only reader of process.env. Parsed once, at first use; entry points
// (web instrumentation, worker, CLI) call loadEnv() at start so a missing or
// wrong variable fails immediately with its name.
/** The value .env.example ships with: a server that runs with it in production signs sessions anyone can forge. */
export const NEXTAUTH_SECRET_PLACEHOLDER = 'change-me-to-a-long-random-string'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
const ZLogLevel = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
export type TLogLevel = z.infer<typeof ZLogLevel>

const ZEnvFields = z.object({
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => u.startsWith('postgres'), 'must be a postgresql:// URL'),
  REDIS_URL: z
    .string()
    .url()
    .refine((u) => u.startsWith('redis'), 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  NEXTAUTH_SECRET: z.string().min(16, 'must be at least 16 characters'),
  /** Where users reach the app: the base of links in emails (password reset, verification) and, when https, Secure cookies. Required in production. */
  NEXTAUTH_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .optional(),
  /**
   * Whether the web tier sits behind proxies that set X-Forwarded-For: "false" (default: the client address is
   * the socket's), "true" (one proxy) or how many proxies. The client address is then the entry that many places
   * from the right of X-Forwarded-For (the ones further left are written by the client and can be forged).
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9]{1,2})$/, 'must be true, false or a number of proxies')
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_:-]+$/)
    .default('outlay'),
  // Ingest jobs at once per worker process. Two: a job whose batch another job's group commit holds ends
  // at once (SKIP LOCKED), so more slots would only start more small transactions queueing for the same hot
  // rollup rows (bench:ingest on 2 cores: 8 slots 3,362 events/s, 2 slots 5,250).
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(2),
  // how many waiting event batches of one organization one ingest transaction may take (lib/ingest/process.ts)
  INGEST_GROUP_MAX_BATCHES: z.coerce.number().int().min(1).max(1000).default(50),
  /** How long a job's lock lasts; a crashed worker's job is retried after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How long a process trusts its cached copy of an organization's prices; re-pricing waits this long first. */
  PRICE_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Default events per second per organization (an organization's ingest_rate_limit overrides it). */
  INGEST_RATE_LIMIT: z.coerce.number().int().min(1).default(100_000),
  // Back-pressure on the backlog (accepted events no worker has counted yet, across organizations): the ingest
  // API answers 429 once it holds more than INGEST_MAX_BACKLOG_SECONDS of the workers' recent pace (events
  // counted in the last 10 s), so freshness stays within seconds on a slow machine and a fast one alike; never
  // below INGEST_MIN_BACKLOG_EVENTS (a burst after a quiet spell, when the pace reads ~0) and never above
  // INGEST_MAX_PENDING_EVENTS.
  INGEST_MAX_BACKLOG_SECONDS: z.coerce.number().min(0.1).max(600).default(4),
  INGEST_MIN_BACKLOG_EVENTS: z.coerce.number().int().min(1).default(5_000),
  INGEST_MAX_PENDING_EVENTS: z.coerce.number().int().min(1).default(30_000),
  /** When set, GET /api/metrics/prometheus requires "Authorization: Bearer <token>". */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(30),
  /** Email alerts, password reset and email verification go through this SMTP server (smtp:// or smtps://user:pass@host:port). With it set, new accounts verify their email before signing in (lib/auth/accounts.ts). */
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().min(3).default('Outlay alerts <alerts@outlay.invalid>'),
  /**
   * auto (default): new accounts verify their email before signing in whenever SMTP_URL is set; off: never (SMTP
   * then serves alerts and password reset only, e.g. a deployment whose accounts an administrator vouches for).
   */
  EMAIL_VERIFICATION: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  /** Tries per notification (alert × channel) before it is logged as failed; waits double from NOTIFICATION_BACKOFF_MS. */
  NOTIFICATION_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  NOTIFICATION_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
  /**
   * Webhook URLs that resolve to loopback, private, link-local or cloud-metadata addresses are refused (SSRF),
   * when a channel is made and again on every delivery. Set to true only where receivers are local on purpose (tests, demo).
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * Gateway upstream base URLs (lib/gateway) that resolve to loopback, private, link-local or cloud-metadata
   * addresses are refused, when a provider is configured and again on every connection, like webhooks. Set to true
   * for a self-hosted model on the same network, the demo and tests.
   */
  ALLOW_PRIVATE_UPSTREAMS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** The gateway cuts an upstream call that has not answered (status and headers) within this long: the attempt counts as a timeout (a fallback may follow). */
  GATEWAY_FIRST_BYTE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** The gateway cuts an upstream call (a stream included) that has not finished within this long. */
  GATEWAY_TOTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(600_000),
  /** Gateway events waiting in a web process's memory for PostgreSQL at most; past it the oldest are dropped and counted (outlay_gateway_events_dropped_total). */
  GATEWAY_EVENT_BUFFER_MAX: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  /** How long a gateway event waits in a web process's memory before its flush to PostgreSQL starts (at most a second: PRODUCT.md). */
  GATEWAY_EVENT_FLUSH_MS: z.coerce.number().int().min(10).max(1_000).default(100),
  /**
   * Encrypts notification channels' secrets at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64.
   * Without it the key is derived from NEXTAUTH_SECRET (HKDF), so changing that secret then makes stored channel secrets unreadable.
   */
  CHANNEL_SECRETS_KEY: z
    .string()
    .refine((k) => keyBytes(k) !== null, 'must be 32 bytes: 64 hex characters or base64')
    .optional(),
  /**
   * Where the application (web, workers, CLI) connects: a role that owns nothing and cannot bypass row-level
   * security (PRODUCT.md "Database roles"). DATABASE_URL is the owner's, for migrations. Default: DATABASE_URL
   * with the user outlay_app (made by the migrations) and APP_DATABASE_PASSWORD as its password, if set.
   */
  APP_DATABASE_URL: z
    .string()
    .url()
    .refine((u) => u.startsWith('postgres'), 'must be a postgresql:// URL')
    .optional(),
  /** The password of outlay_app, when the server asks for one; `npm run db:migrate` sets it on the role. */
  APP_DATABASE_PASSWORD: z.string().min(1).optional(),
  /**
   * How long a process trusts its cached copy of an API key: a revocation reaches every process at once over
   * Redis, and one that missed the message (reconnecting) still drops the key within this long.
   */
  API_KEY_CACHE_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /** Most API keys (valid or not) one process caches. */
  API_KEY_CACHE_MAX: z.coerce.number().int().min(100).default(10_000),
  /** Failed API-key lookups a client address may make per minute before it gets 429 (no database read). */
  API_KEY_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * PostgreSQL's max_parallel_workers_per_gather for Outlay's sessions. 0 (no parallel workers): a dashboard
   * page sends 7–12 rollup reads at once, and on a 2-core machine each read's parallel workers only competed
   * with the other reads for the same cores (account page at 90 days, p95 387 → 219 ms, same code; npm run bench:dashboard).
   * Raise it on a database server with cores to spare.
   */
  PG_MAX_PARALLEL_WORKERS: z.coerce.number().int().min(0).max(64).default(0),
  /**
   * How long an idle PostgreSQL connection stays in a process's pool before it is closed. A new connection is a new
   * server process, which pays for every shared buffer it touches the first time (a page fault each) and for its
   * catalog caches: the account page at 90 days opened after a 15-s pause took 371–401 ms p50 when node-postgres'
   * default of 10 s had closed the connections, 201–238 ms when they were kept (npm run bench:dashboard -- --pause 15).
   * Idle connections do not keep a process from exiting.
   */
  PG_POOL_IDLE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /**
   * Single sign-on with OpenID Connect (lib/auth/sso.ts): the provider's issuer URL (its discovery document is
   * <issuer>/.well-known/openid-configuration), and this app's client id and secret there. All three or none;
   * without them the sign-in page offers email and password only. The provider's redirect URI for this app is
   * <NEXTAUTH_URL>/api/auth/callback/oidc.
   */
  OIDC_ISSUER: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The button's label: "Sign in with <OIDC_NAME>". */
  OIDC_NAME: z.string().trim().min(1).max(40).default('SSO'),
  /** The lowest level written, as JSON lines on standard output (lib/log.ts). Default: info; silent under Vitest. */
  LOG_LEVEL: ZLogLevel.optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /**
   * Check every API answer against its documented schema (lib/http/contract-check.ts) and answer 500 with the
   * mismatch when it differs. On by default outside production; the end-to-end server turns it on.
   */
  OUTLAY_VALIDATE_RESPONSES: z.enum(['true', 'false']).optional(),
})
const ZEnv = ZEnvFields.superRefine((e, ctx) => {
  const oidc = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((k) => e[k] === undefined)
  if (oidc.length > 0 && oidc.length < 3) {
    for (const k of oidc) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when any of OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET is set' })
  }
  // Production refuses what would make sessions forgeable or links point nowhere (development and tests keep the lenient rules).
  if (e.NODE_ENV !== 'production') return
  if (e.NEXTAUTH_SECRET === NEXTAUTH_SECRET_PLACEHOLDER) {
    ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_SECRET'], message: 'is the .env.example placeholder: generate one (openssl rand -base64 32)' })
  } else if (e.NEXTAUTH_SECRET.length < 32) {
    ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_SECRET'], message: 'must be at least 32 characters in production (openssl rand -base64 32)' })
  }
  if (!e.NEXTAUTH_URL)
    ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_URL'], message: 'is required in production: the URL users reach the app on (https://…)' })
})
export type TEnv = z.infer<typeof ZEnv>

/** A 32-byte key from 64 hex characters or base64(url); null when it is neither. */
export function keyBytes(k: string): Buffer | null {
  const b = /^[0-9a-f]{64}$/i.test(k) ? Buffer.from(k, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(k) ? Buffer.from(k, 'base64') : null
  return b && b.length === 32 ? b : null
}

// The CLI signs no session and serves no page: it needs neither NEXTAUTH_SECRET nor NEXTAUTH_URL (nor the
// production rules about them). Without the secret, reading it throws with its name (a command that ever
// needs it fails loudly rather than using a wrong key).
const ZCliEnv = ZEnvFields.extend({ NEXTAUTH_SECRET: ZEnvFields.shape.NEXTAUTH_SECRET.optional() })

let cached: TEnv | undefined

/** 'server': the web app and the workers (default); 'cli': npm run cli. */
export type TEnvProfile = 'server' | 'cli'

export function loadEnv(source: Record<string, string | undefined> = process.env, profile: TEnvProfile = 'server'): TEnv {
  if (cached && source === process.env) return cached
  const parsed = (profile === 'cli' ? ZCliEnv : ZEnv).safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new Error(`Invalid environment configuration (see .env.example):\n${lines.join('\n')}`)
  }
  const data = parsed.data as TEnv
  if (data.NEXTAUTH_SECRET === undefined) {
    Object.defineProperty(data, 'NEXTAUTH_SECRET', {
      get: () => {
        throw new Error('NEXTAUTH_SECRET: is not set, and this command needs it')
      },
    })
  }
  if (source === process.env) cached = data
  return data
}

export const env = (): TEnv => loadEnv()

/**
 * The log level, read on its own: the logger exists before loadEnv() runs and must still work (to report it)
 * when the rest of the configuration is wrong. A wrong LOG_LEVEL gives info here; loadEnv() then refuses it by name.
 */
export function logLevel(source: Record<string, string | undefined> = process.env): TLogLevel {
  const parsed = ZLogLevel.safeParse(source.LOG_LEVEL)
  if (parsed.success) return parsed.data
  // Tests keep their output to the runner's unless a run asks for logs (LOG_LEVEL=debug npx vitest run …).
  return source.LOG_LEVEL === undefined && source.VITEST ? 'silent' : 'info'
}

/** The application's database URL: APP_DATABASE_URL, else DATABASE_URL as the role outlay_app. */
export function appDatabaseUrl(e: Pick<TEnv, 'DATABASE_URL' | 'APP_DATABASE_URL' | 'APP_DATABASE_PASSWORD'> = env()): string {
  if (e.APP_DATABASE_URL) return e.APP_DATABASE_URL
  const u = new URL(e.DATABASE_URL)
  u.username = APP_DB_ROLE
  u.password = e.APP_DATABASE_PASSWORD ? encodeURIComponent(e.APP_DATABASE_PASSWORD) : ''
  return u.toString()
}
export const APP_DB_ROLE = 'outlay_app'

export type TOidcConfig = { issuer: string; clientId: string; clientSecret: string; name: string }
/** Single sign-on's settings, or null when it is not configured (the three OIDC_* variables come together). */
export function oidcConfig(e: TEnv = env()): TOidcConfig | null {
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return null
  return { issuer: e.OIDC_ISSUER.replace(/\/+$/, ''), clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, name: e.OIDC_NAME }
}
