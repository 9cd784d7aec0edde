// CPU profiles of the processes a benchmark started with --cpu-prof (scripts/bench/common.ts startProcess's
// profDir): where their CPU time went, by function and by area (a package, a lib/ module, GC, native code).
import fs from 'node:fs'
import path from 'node:path'
import { ROOT, started } from './common'

type TProfNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export type TProfSummary = {
  file: string
  sampled_s: number
  top_functions: { fn: string; self_s: number; share: number }[]
  by_area: { area: string; self_s: number; share: number }[]
}

function area(url: string, fn: string): string {
  if (!url)
    return fn === '(garbage collector)' ? 'GC' : fn === '(idle)' ? '(idle)' : fn === '(program)' ? '(program: native, outside JS)' : `(${fn || 'native'})`
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm) return `node_modules/${nm[1]}`
  if (url.startsWith('node:')) return url.split('/')[0].replace(/^node:/, 'node:')
  const m = /\/(lib\/[^/]+|workers|app|\.next\/server\/chunks|\.next\/server\/app)/.exec(url)
  return m ? m[1] : url.replace(/^file:\/\//, '').slice(-60)
}

export function summariseProfile(file: string): TProfSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: TProfNode[]; samples: number[]; timeDeltas: number[] }
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  const fnTotals = new Map<string, number>()
  const areaTotals = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const n = byId.get(id)
    if (!n) continue
    const { functionName, url, lineNumber } = n.callFrame
    if (functionName === '(idle)') continue
    total += us
    const short = url
      ? `${url
          .replace(/^file:\/\//, '')
          .replace(ROOT + '/', '')
          .slice(-70)}:${lineNumber + 1}`
      : ''
    const key = `${functionName || '(anonymous)'} ${short}`.trim()
    fnTotals.set(key, (fnTotals.get(key) ?? 0) + us)
    const a = area(url, functionName)
    areaTotals.set(a, (areaTotals.get(a) ?? 0) + us)
  }
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, n)
  return {
    file,
    sampled_s: total / 1e6,
    top_functions: top(fnTotals, 15).map(([fn, us]) => ({ fn, self_s: us / 1e6, share: us / total })),
    by_area: top(areaTotals, 12).map(([a, us]) => ({ area: a, self_s: us / 1e6, share: us / total })),
  }
}

export function profileSummaries(): { name: string; summary: TProfSummary | null }[] {
  return started
    .filter((p) => p.profDir)
    .map((p) => {
      const files = fs.existsSync(p.profDir as string) ? fs.readdirSync(p.profDir as string).filter((f) => f.endsWith('.cpuprofile')) : []
      // several node processes (npx, tsx's launcher) write one each: the largest is the real server/worker
      const biggest = files.map((f) => path.join(p.profDir as string, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]
      try {
        return { name: p.name, summary: biggest ? summariseProfile(biggest) : null }
      } catch {
        return { name: p.name, summary: null }
      }
    })
}

/** The printed summary of each profile: the share of each area and the top functions. */
export function profileLines(profiles: { name: string; summary: TProfSummary | null }[], topN = 10): string[] {
  const out: string[] = []
  for (const p of profiles) {
    if (!p.summary) continue
    out.push(`CPU profile of ${p.name} (${p.summary.sampled_s.toFixed(1)} s of non-idle samples; ${path.basename(p.summary.file)})`)
    out.push(`  by area: ${p.summary.by_area.map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ')}`)
    for (const f of p.summary.top_functions.slice(0, topN)) out.push(`    ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.fn}`)
    out.push('')
  }
  return out
}
