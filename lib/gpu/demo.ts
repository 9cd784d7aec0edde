// The demo organization's self-hosted fleet, deterministic like the rest of
// the demo (lib/demo/generate.ts): four pools, an hourly utilization sample
// per GPU over the window, and the self-hosted calls (gpu_seconds, gpu_pool)
// with their accepted outcomes. The story:
// - prod-h100 (bought: amortized) doubled from 4 to 8 H100s 45 days ago when
//   its busy hours passed 70%; traffic grew less than that, so it now averages
//   about a fifth of its capacity and its p95 hour needs 5 of the 8;
// - staging-a10 is busy one hour a night (evals) and otherwise nearly idle;
// - canary-a10 takes ~5% of kb-search answers; reserve-h100 waits.
import { DAY_MS, HOUR_MS, type TCallType, type TEnvironment, type TTrafficSource } from '@/lib/domain'
import { Rng } from '@/lib/demo/generate'
import type { TPoolCreate, TPoolPatch } from '@/lib/gpu/schema'

export type TDemoFleetPool = { create: TPoolCreate; changes: TPoolPatch[] }
export type TDemoGpuEvent = {
  id: string
  timestamp: string
  environment: Extract<TEnvironment, 'production' | 'staging'>
  traffic_source: Extract<TTrafficSource, 'production' | 'eval'>
  workflow_id: string
  run_id: string
  step: string
  call_type: Extract<TCallType, 'generation' | 'embedding'>
  provider: string
  model: string
  tokens_in: number
  tokens_out: number
  gpu_seconds: number
  gpu_pool: string
  outcome: 'success'
  attempt: 1
  latency_ms: number
  owner: string
}
export type TDemoOutcome = { id: string; timestamp: string; workflow_id: string; run_id: string; accepted: boolean; kind: string }
export type TDemoSample = { timestamp: string; pool: string; gpu_index: number; utilization_pct: number; memory_used_mib: number }

export const DEMO_SCENARIOS = ['kb-search', 'ticket-triage'] as const

export function demoFleetPools(now: Date, days: number): TDemoFleetPool[] {
  const start = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS)
  const grew = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - 45 * DAY_MS)
  const serves = [...DEMO_SCENARIOS]
  const pools: TDemoFleetPool[] = [
    {
      create: {
        name: 'prod-h100',
        role: 'production',
        gpu_type: 'H100',
        region: 'us-east-1',
        serves,
        allocation: 'gpu_seconds',
        gpu_count: grew > start ? 4 : 8,
        effective_from: start,
        pricing: 'amortized',
        purchase_usd_per_gpu: '30000',
        amortization_months: 36,
        power_hosting_usd_per_gpu_hour: '0.6',
      },
      changes: grew > start ? [{ gpu_count: 8, effective_from: grew }] : [],
    },
    {
      create: {
        name: 'staging-a10',
        role: 'staging',
        gpu_type: 'A10',
        region: 'us-east-1',
        serves,
        allocation: 'gpu_seconds',
        gpu_count: 4,
        effective_from: start,
        pricing: 'hourly',
        gpu_hour_usd: '1.1',
      },
      changes: [],
    },
    {
      create: {
        name: 'canary-a10',
        role: 'canary',
        gpu_type: 'A10',
        region: 'us-east-1',
        serves: ['kb-search'],
        allocation: 'even',
        gpu_count: 2,
        effective_from: start,
        pricing: 'hourly',
        gpu_hour_usd: '1.1',
      },
      changes: [],
    },
    {
      create: {
        name: 'reserve-h100',
        role: 'reserve',
        gpu_type: 'H100',
        region: 'us-west-2',
        serves,
        allocation: 'share',
        shares: { 'kb-search': 3, 'ticket-triage': 1 },
        gpu_count: 2,
        effective_from: start,
        pricing: 'hourly',
        gpu_hour_usd: '2.49',
      },
      changes: [],
    },
  ]
  return pools
}

/** Busy GPU-equivalents of production traffic at an hour: daily curve, weekends at half, growth over the window. */
function productionLoad(t: number, progress: number): number {
  const d = new Date(t)
  const h = d.getUTCHours()
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6
  const curve = 0.3 + 0.7 * Math.max(0, Math.sin((Math.PI * (h - 6)) / 15))
  return 2.2 * Math.pow(1.6, progress) * curve * (weekend ? 0.5 : 1)
}

export type TDemoFleetData = { samples: TDemoSample[]; events: TDemoGpuEvent[]; outcomes: TDemoOutcome[] }

export function generateDemoFleet(now: Date, days: number, seed = 7): TDemoFleetData {
  const rng = new Rng(seed)
  const todayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS
  const start = todayStart - (days - 1) * DAY_MS
  const grew = todayStart - 45 * DAY_MS
  const samples: TDemoSample[] = []
  const events: TDemoGpuEvent[] = []
  const outcomes: TDemoOutcome[] = []
  const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS
  let seq = 0
  const clamp = (v: number) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10

  for (let t = start; t <= lastHour; t += HOUR_MS) {
    const progress = Math.min(1, (t - start) / Math.max(1, days * DAY_MS - DAY_MS))
    const d = new Date(t)
    const weekday = d.getUTCDay() !== 0 && d.getUTCDay() !== 6
    const load = productionLoad(t, progress) * rng.logNormal(1, 0.08)
    const prodGpus = t >= grew || grew <= start ? 8 : 4
    const nightlyEval = weekday && d.getUTCHours() === 1
    const poolUtil: [string, number, number, number][] = [
      ['prod-h100', prodGpus, (load / prodGpus) * 100, 62_000],
      ['staging-a10', 4, nightlyEval ? 78 : d.getUTCHours() >= 14 && d.getUTCHours() < 22 && weekday ? 16 : 4, 14_000],
      ['canary-a10', 2, ((load * 0.05 * 1.8) / 2) * 100 + 6, 12_000],
      ['reserve-h100', 2, 1, 2_000],
    ]
    for (const [pool, gpus, util, mem] of poolUtil) {
      for (let g = 0; g < gpus; g++) {
        samples.push({
          timestamp: new Date(t + 30 * 60_000 + g * 100).toISOString(),
          pool,
          gpu_index: g,
          utilization_pct: clamp(util * (1 + 0.12 * rng.normal())),
          memory_used_mib: Math.round(mem * (0.9 + 0.2 * rng.next())),
        })
      }
    }

    // Self-hosted production calls at this hour, in proportion to the load.
    const ymd = d.toISOString().slice(0, 13).replace(/[-T]/g, '')
    const call = (
      wf: string,
      run: string,
      at: number,
      step: string,
      callType: TDemoGpuEvent['call_type'],
      model: string,
      pool: string,
      gpuS: number,
      env: TDemoGpuEvent['environment'],
      src: TDemoGpuEvent['traffic_source'],
      tokIn: number,
      tokOut: number,
    ) => {
      events.push({
        id: `demo-gpu-${ymd}-${String(++seq).padStart(7, '0')}`,
        timestamp: new Date(at).toISOString(),
        environment: env,
        traffic_source: src,
        workflow_id: wf,
        run_id: run,
        step,
        call_type: callType,
        provider: 'self-hosted',
        model,
        tokens_in: tokIn,
        tokens_out: tokOut,
        gpu_seconds: Math.round(gpuS * 1000) / 1000,
        gpu_pool: pool,
        outcome: 'success',
        attempt: 1,
        latency_ms: Math.round(gpuS * 900 + 40),
        owner: wf === 'kb-search' ? 'search-team' : 'support-ai',
      })
    }
    const runs = (
      n: number,
      wf: string,
      env: TDemoGpuEvent['environment'],
      src: TDemoGpuEvent['traffic_source'],
      pool: (i: number) => string,
      accept: number,
    ) => {
      for (let i = 0; i < n; i++) {
        const at = t + Math.floor(rng.next() * (HOUR_MS - 120_000))
        const run = `demo-gpu-run-${ymd}-${String(seq + 1).padStart(7, '0')}`
        if (wf === 'kb-search') {
          call(wf, run, at, 'retrieve', 'embedding', 'bge-large-en-v1.5', pool(i), rng.range(0.03, 0.08), env, src, rng.int(20, 80), 0)
          call(
            wf,
            run,
            at + 150,
            'answer',
            'generation',
            'llama-3.1-70b-instruct',
            pool(i),
            rng.logNormal(2.8, 0.35),
            env,
            src,
            rng.int(1800, 4200),
            rng.int(120, 480),
          )
        } else {
          call(wf, run, at, 'classify', 'generation', 'llama-3.1-8b-instruct', pool(i), rng.logNormal(0.45, 0.3), env, src, rng.int(600, 1400), rng.int(4, 20))
        }
        if (src === 'production')
          outcomes.push({
            id: `${run}-outcome`,
            timestamp: new Date(at + 60_000).toISOString(),
            workflow_id: wf,
            run_id: run,
            accepted: rng.chance(accept),
            kind: wf === 'kb-search' ? 'answer accepted' : 'ticket routed',
          })
      }
    }
    runs(Math.round(load * 3), 'kb-search', 'production', 'production', () => (rng.chance(0.05) ? 'canary-a10' : 'prod-h100'), 0.82)
    runs(Math.round(load * 2), 'ticket-triage', 'production', 'production', () => 'prod-h100', 0.91)
    if (nightlyEval) {
      runs(30, 'kb-search', 'staging', 'eval', () => 'staging-a10', 0)
      runs(15, 'ticket-triage', 'staging', 'eval', () => 'staging-a10', 0)
    }
  }
  return { samples, events, outcomes }
}
