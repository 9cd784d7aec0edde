// Text forms of a policy's lists for the editor: "provider/model" per line and
// "metric >= min" per line, and back. Pure; the API validates again.
import type { TModelRef, TPolicySpec, TRoutingDefaults } from '@/lib/routing/schema'

export function parseModelLines(text: string): { models: TModelRef[]; error?: string } {
  const models: TModelRef[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line) continue
    const at = line.indexOf('/')
    if (at <= 0 || at === line.length - 1) return { models, error: `line ${i + 1}: write provider/model, e.g. openai/gpt-4o-mini` }
    models.push({ provider: line.slice(0, at).trim(), model: line.slice(at + 1).trim() })
  }
  return { models }
}

export const modelLines = (ms: TModelRef[]) => ms.map((m) => `${m.provider}/${m.model}`).join('\n')

export function parseBarLines(text: string): { bar: TPolicySpec['quality_bar']; error?: string } {
  const bar: TPolicySpec['quality_bar'] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line) continue
    // The number as \d+(\.\d+)? or .\d+ (what [0-9]*\.?[0-9]+ read, without its quadratic backtracking on a long run of digits).
    const m = /^([^\s>=≥]+)\s*(?:>=|≥)\s*(\d+(?:\.\d+)?|\.\d+)$/.exec(line)
    if (!m) return { bar, error: `line ${i + 1}: write metric >= minimum, e.g. grounding >= 0.92` }
    bar.push({ metric: m[1], min: Number(m[2]) })
  }
  return { bar }
}

export const barLines = (bar: TPolicySpec['quality_bar']) => bar.map((q) => `${q.metric} >= ${q.min}`).join('\n')

/** An optional whole number field: empty → null; digits → the number; anything else → an error the field shows. */
export function parseOptionalInt(text: string): { value: number | null; error?: string } {
  const t = text.trim().replace(/[,_\s]/g, '')
  if (!t) return { value: null }
  if (!/^\d{1,9}$/.test(t)) return { value: null, error: 'must be a whole number, or empty for none' }
  return { value: Number(t) }
}

/** The organization's default in the defaults' text form: `* = provider/model`. */
export const ORG_DEFAULT = '*'

/** Routing defaults as text, one per line: `workflow = provider/model`, `* = provider/model` for the organization's. */
export const defaultLines = (ds: TRoutingDefaults['defaults']) => ds.map((d) => `${d.workflow_id ?? ORG_DEFAULT} = ${d.provider}/${d.model}`).join('\n')

export function parseDefaultLines(text: string): { defaults: TRoutingDefaults['defaults']; error?: string } {
  const defaults: TRoutingDefaults['defaults'] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line) continue
    const eq = line.indexOf('=')
    const wf = eq > 0 ? line.slice(0, eq).trim() : ''
    const m = eq > 0 ? parseModelLines(line.slice(eq + 1)) : { models: [], error: 'x' }
    if (!wf || m.error || m.models.length !== 1)
      return { defaults, error: `line ${i + 1}: write workflow = provider/model, or * = provider/model for the organization's default` }
    const workflow_id = wf === ORG_DEFAULT ? null : wf
    if (defaults.some((d) => d.workflow_id === workflow_id)) return { defaults, error: `line ${i + 1}: ${wf} has a default already` }
    defaults.push({ workflow_id, ...m.models[0] })
  }
  return { defaults }
}

/**
 * A change drafted by a link (the Opportunities page's actions): the routing
 * pages read `workflow`, `step`, `candidate` (provider/model), `candidates`
 * (provider/model, comma-separated), `max_tokens_cap`, `cache_ttl_s`, `saving`
 * (the estimate, USD per month) and `from` (the drafting page) from their URL and
 * pre-fill the draft with it — nothing is saved or published until the user
 * does. Null without a workflow and step; a malformed value is left out.
 */
export type TDraftParams = {
  workflow_id: string
  step: string
  candidate?: TModelRef
  /** `candidates`: several provider/model, comma-separated (a decision record's model options) */
  candidates?: TModelRef[]
  max_tokens_cap?: number
  cache_ttl_s?: number
  saving?: string
  /** `from`: the page that drafted it (Opportunities unless told) */
  from?: 'opportunities' | 'decision-record'
}

export const DRAFT_SOURCES = { opportunities: 'Opportunities', 'decision-record': 'the decision record' } as const

export function parseDraftParams(p: { get(k: string): string | null }): TDraftParams | null {
  const workflow_id = p.get('workflow')?.trim()
  const step = p.get('step')?.trim()
  if (!workflow_id || !step) return null
  const out: TDraftParams = { workflow_id, step }
  const c = parseModelLines(p.get('candidate') ?? '')
  if (!c.error && c.models.length === 1) out.candidate = c.models[0]
  for (const k of ['max_tokens_cap', 'cache_ttl_s'] as const) {
    const v = parseOptionalInt(p.get(k) ?? '')
    if (!v.error && v.value !== null && v.value > 0) out[k] = v.value
  }
  // each comma-separated provider/model on its own: a malformed one is left out, the others kept
  const many = (p.get('candidates') ?? '').split(',').flatMap((x) => {
    const m = parseModelLines(x)
    return m.error ? [] : m.models
  })
  if (many.length) out.candidates = many.slice(0, 20)
  if (p.get('from') === 'decision-record') out.from = 'decision-record'
  const saving = p.get('saving')?.trim()
  if (saving && /^\d{1,15}(\.\d{1,6})?$/.test(saving)) out.saving = saving
  return out
}

/** The draft's parameters as a query string, to carry them from the routing list to a policy's editor. */
export function draftQuery(d: TDraftParams): string {
  const q = new URLSearchParams({ workflow: d.workflow_id, step: d.step })
  if (d.candidate) q.set('candidate', `${d.candidate.provider}/${d.candidate.model}`)
  if (d.max_tokens_cap !== undefined) q.set('max_tokens_cap', String(d.max_tokens_cap))
  if (d.cache_ttl_s !== undefined) q.set('cache_ttl_s', String(d.cache_ttl_s))
  if (d.candidates?.length) q.set('candidates', d.candidates.map((m) => `${m.provider}/${m.model}`).join(','))
  if (d.saving) q.set('saving', d.saving)
  if (d.from) q.set('from', d.from)
  return q.toString()
}

/** The editor's text fields with a drafted change applied: the candidates added (once each), the cap and the cache TTL set. */
export function applyDraftParams<F extends { candidates: string; max_tokens_cap: string; cache_ttl_s: string }>(f: F, d: TDraftParams | null): F {
  if (!d) return f
  const out = { ...f }
  for (const c of [...(d.candidates ?? []), ...(d.candidate ? [d.candidate] : [])]) {
    const have = parseModelLines(out.candidates).models.map((m) => `${m.provider}/${m.model}`)
    const k = `${c.provider}/${c.model}`
    if (!have.includes(k)) out.candidates = out.candidates.trim() ? `${out.candidates.trim()}\n${k}` : k
  }
  if (d.max_tokens_cap !== undefined) out.max_tokens_cap = String(d.max_tokens_cap)
  if (d.cache_ttl_s !== undefined) out.cache_ttl_s = String(d.cache_ttl_s)
  return out
}
