// Budget verdicts that follow the spend within about a second: right after an
// ingest batch committed (workers/processors/ingest.ts), the worker measures
// the organization's budgets from the rollups it just moved and publishes the
// gates (lib/budgets/enforce.ts), which every web process receives on Redis
// pub/sub and applies to its copy in memory. The full evaluation (alerts,
// drift detectors, notifications) still runs on the alerts queue a few
// seconds later; this one only measures budgets, records state changes and
// publishes gates — all safe to repeat.
//
// Per organization and process: one refresh at a time, at most one every
// GATE_REFRESH_MIN_INTERVAL_MS, and one more after a running refresh when a
// batch arrived during it, so a busy organization costs a bounded number of
// measurements however many batches it sends.
import 'server-only'
import { log } from '@/lib/log'
import { asOrg } from '@/lib/db'
import { listBudgets } from '@/lib/budgets'
import { refreshEnforcement } from '@/lib/budgets/enforce'

export const GATE_REFRESH_MIN_INTERVAL_MS = 250

type TState = { running: boolean; again: boolean; lastStart: number; timer?: NodeJS.Timeout; done?: Promise<void> }

export type TGateRefresherOptions = {
  refresh: (orgId: string) => Promise<void>
  minIntervalMs?: number
  onError?: (orgId: string, e: unknown) => void
  now?: () => number
}

/** Coalesces refresh requests per organization (see the file's comment). */
export class GateRefresher {
  private readonly orgs = new Map<string, TState>()
  private readonly minIntervalMs: number
  private readonly now: () => number

  constructor(private readonly opts: TGateRefresherOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? GATE_REFRESH_MIN_INTERVAL_MS
    this.now = opts.now ?? Date.now
  }

  /** Ask for a refresh of the organization's gates; returns at once. */
  request(orgId: string): void {
    let s = this.orgs.get(orgId)
    if (!s) this.orgs.set(orgId, (s = { running: false, again: false, lastStart: -Infinity }))
    if (s.running || s.timer) {
      s.again ||= s.running
      return
    }
    const wait = s.lastStart + this.minIntervalMs - this.now()
    if (wait > 0) {
      s.timer = setTimeout(() => this.start(orgId, s), wait)
      return
    }
    this.start(orgId, s)
  }

  /** Resolves once no refresh is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.orgs.values()].filter((s) => s.running || s.timer)
      if (busy.length === 0) return
      await Promise.all(busy.map((s) => s.done ?? new Promise((r) => setTimeout(r, 10))))
    }
  }

  private start(orgId: string, s: TState): void {
    s.timer = undefined
    s.running = true
    s.again = false
    s.lastStart = this.now()
    s.done = this.opts
      .refresh(orgId)
      .then(
        () => undefined,
        (e: unknown) => this.opts.onError?.(orgId, e),
      )
      .finally(() => {
        s.running = false
        s.done = undefined
        // the entry stays (a few numbers per organization) so the interval holds for the next batch too
        if (s.again) this.request(orgId)
      })
  }
}

/** Measure the organization's budgets now and publish its gates (and state changes). */
export async function refreshGatesNow(orgId: string, now = new Date()): Promise<void> {
  const measuredAt = Date.now()
  await asOrg(orgId, async () => refreshEnforcement(orgId, await listBudgets(orgId, now), now, measuredAt))
}

const g = globalThis as unknown as { __outlayGateRefresher?: GateRefresher }

/** The process's refresher (the ingest worker's). */
export const gateRefresher = (): GateRefresher =>
  (g.__outlayGateRefresher ??= new GateRefresher({
    refresh: (orgId) => refreshGatesNow(orgId),
    // The scheduled evaluation publishes them again within 30 s.
    onError: (orgId, err) => log({ component: 'budgets', org_id: orgId }).error({ err }, 'could not refresh the gates'),
  }))
