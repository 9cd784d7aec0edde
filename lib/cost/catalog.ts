import { calcPrice, findProvider, type ConditionalPrice, type ModelInfo, type ModelPrice, type TieredPrices } from '@pydantic/genai-prices'
import type { TModelPrice, TTierPrice } from '@/lib/cost/engine'

// The default catalog is the price database bundled in @pydantic/genai-prices
// (MIT). Only its bundled data is used: updatePrices/waitForUpdate are never
// called, so nothing is fetched and pricing works offline. Its float prices are
// turned into exact decimal strings here; its float totals are never used for
// money. An organization's own prices (table `prices`) override the catalog in
// PriceBook.

/** Keep in step with package.json / node_modules (catalog.test.ts checks it). */
const PACKAGE_VERSION = '0.1.8'
export const CATALOG_SOURCE = `@pydantic/genai-prices@${PACKAGE_VERSION} (bundled price data, MIT)`
/** The release date of that version on npm: its data is as of then (it also carries announced future changes as start_date prices). */
export const CATALOG_AS_OF = '2026-09-23'

const EPOCH = new Date(0)

// ---------------------------------------------------------------------------
// Floats → exact decimals

/** The shortest decimal that reads back as n (String(n)), exponent expanded: 2.5e-7 → "0.00000025". */
export function decimalOf(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new Error(`genai-prices: not a non-negative finite price: ${n}`)
  const s = String(n)
  const m = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (!m) return s
  const digits = m[1] + (m[2] ?? '')
  const point = m[1].length + Number(m[3]) // where the decimal point goes within digits
  const plain =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return trimDecimal(plain)
}

/** Exact division of a plain decimal string by 10^k (a shift of the decimal point). */
function shiftDecimal(dec: string, k: number): string {
  const [int, frac = ''] = dec.split('.')
  const padded = int.padStart(k + 1, '0')
  return trimDecimal(`${padded.slice(0, padded.length - k)}.${padded.slice(padded.length - k)}${frac}`)
}

function trimDecimal(s: string): string {
  if (!s.includes('.')) return s.replace(/^0+(?=\d)/, '')
  const t = s.replace(/0+$/, '').replace(/\.$/, '')
  return t.replace(/^0+(?=\d)/, '')
}

// ---------------------------------------------------------------------------
// genai-prices ModelPrice → Outlay TModelPrice

type TPriceValue = number | TieredPrices | undefined

function isTiered(v: TPriceValue): v is TieredPrices {
  return typeof v === 'object' && v !== null
}

/**
 * Tier semantics, read from the package (dist/index.js, 0.1.8):
 *   function de(e, t, a) { let i = e.base; for (const o of e.tiers) a > o.start && (i = o.price); return i * t / 1e6 }
 * called with a = the usage's input_tokens (the TOTAL input, cache reads and
 * writes included) for every price key, tiers sorted by start ascending
 * (class TieredPrices). So a tier applies when input_tokens is STRICTLY
 * greater than its `start`, and then its rate is used for every token of that
 * key in the call (not marginally). Outlay's engine picks the highest tier
 * with tokensIn > above_input_tokens and applies it to every token of the
 * call: above_input_tokens = start, exactly.
 * genai-prices tiers each price key separately; Outlay's tier row carries all
 * rates, so the thresholds of all keys are merged and each key's rate at a
 * threshold s is its rate for an input just above s.
 */
function rateAbove(v: TPriceValue, s: number): number | undefined {
  if (v === undefined || !isTiered(v)) return v
  let rate = v.base
  for (const t of [...v.tiers].sort((a, b) => a.start - b.start)) if (s >= t.start) rate = t.price
  return rate
}

function base(v: TPriceValue): number | undefined {
  return isTiered(v) ? v.base : v
}

const dec = (v: number | undefined): string | null => (v === undefined ? null : decimalOf(v))

/**
 * One genai-prices price → TModelPrice. Outlay's events carry text tokens,
 * cache reads/writes and requests, so only input_mtok, cache_read_mtok,
 * cache_write_mtok, output_mtok and requests_kcount are used; the other keys
 * (audio/image/video tokens, web searches, 1-hour cache writes, pages…) price
 * usage Outlay does not record, and cost 0 in the package for such a call too.
 * A price with no keys at all is a free model (":free" variants, moderation,
 * gemma): 0. A price with keys but none of these five (audio hours, OCR pages)
 * cannot price an Outlay event: null, so the event stays *unpriced*, not $0.
 */
export function convertModelPrice(p: ModelPrice, provider: string, model: string, effectiveFrom: Date): TModelPrice | null {
  const input = p.input_mtok,
    cacheRead = p.cache_read_mtok,
    cacheWrite = p.cache_write_mtok,
    output = p.output_mtok
  const requests = p.requests_kcount
  const free = Object.values(p).every((v) => v === undefined)
  if (!free && [input, cacheRead, cacheWrite, output, requests].every((v) => v === undefined)) return null

  const thresholds = new Set<number>()
  for (const v of [input, cacheRead, cacheWrite, output]) if (isTiered(v)) for (const t of v.tiers) thresholds.add(t.start)
  const tiers: TTierPrice[] = [...thresholds]
    .sort((a, b) => a - b)
    .map((s) =>
      Object.freeze({
        above_input_tokens: s,
        input_per_mtok: dec(rateAbove(input, s)) ?? '0',
        // Absent in the package = that usage is billed at the input rate (its
        // decomposition does not split it out); absent here = p_in: the same.
        cached_input_per_mtok: dec(rateAbove(cacheRead, s)),
        cache_write_per_mtok: dec(rateAbove(cacheWrite, s)),
        output_per_mtok: dec(rateAbove(output, s)) ?? '0',
      }),
    )

  // Frozen: one object is shared by every lookup (the cache below); a caller
  // mutating it by mistake would reprice other events, so it throws instead.
  return Object.freeze({
    provider,
    model,
    effective_from: effectiveFrom,
    input_per_mtok: dec(base(input)) ?? '0',
    cached_input_per_mtok: dec(base(cacheRead)),
    cache_write_per_mtok: dec(base(cacheWrite)),
    output_per_mtok: dec(base(output)) ?? '0',
    // requests_kcount is per 1,000 requests (the package sets requests = 1 per call). No
    // model tiers it; if one did, its base would be used (a tier row has no per-request rate).
    per_request: requests === undefined ? null : shiftDecimal(decimalOf(base(requests)!), 3),
    tiers: tiers.length ? (Object.freeze(tiers) as TTierPrice[]) : null,
    org_id: null,
  })
}

// ---------------------------------------------------------------------------
// Which price is in force

type TVersion = { start: number | null; price: TModelPrice | null } // start null: unconstrained (always in force when reached)

/**
 * The package (function we() in dist/index.js) walks a ConditionalPrice[] from
 * the LAST entry to the first and takes the first whose constraint holds:
 * none → always; start_date → timestamp >= start_date (00:00 UTC); time_of_date
 * → inside the daily window. If none holds it falls back to the first entry.
 * Outlay prices by the default (non-off-peak) price: time_of_date entries
 * (DeepSeek's off-peak discounts) are skipped, so the unconstrained / start_date
 * price that applies outside the window is used at every time of day.
 * effective_from is the start_date of the entry in force; epoch for an
 * unconstrained entry or the fallback first entry (the package applies it to
 * all earlier times).
 */
type TVersions = { versions: TVersion[]; fallback: TModelPrice | null }
const converted = new WeakMap<ModelInfo, Map<string, TVersions>>()

function versionsOf(model: ModelInfo, provider: string): TVersions {
  let byProvider = converted.get(model)
  if (!byProvider) converted.set(model, (byProvider = new Map()))
  let v = byProvider.get(provider)
  if (!v) byProvider.set(provider, (v = convertVersions(model, provider)))
  return v
}

function pick(r: TVersions, at: Date): TModelPrice | null {
  const t = at.getTime()
  if (Number.isNaN(t)) return null
  for (const v of r.versions) if (v.start === null || t >= v.start) return v.price
  return r.fallback
}

function convertVersions(model: ModelInfo, provider: string): TVersions {
  if (!Array.isArray(model.prices)) {
    const price = convertModelPrice(model.prices, provider, model.id, EPOCH)
    return { versions: [{ start: null, price }], fallback: price }
  }
  const list = model.prices as ConditionalPrice[]
  const versions: TVersion[] = []
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i].constraint
    if (c === undefined) versions.push({ start: null, price: convertModelPrice(list[i].prices, provider, model.id, EPOCH) })
    else if (c.type === 'start_date') {
      const start = new Date(`${c.start_date}T00:00:00Z`)
      versions.push({ start: start.getTime(), price: convertModelPrice(list[i].prices, provider, model.id, i === 0 ? EPOCH : start) })
    } // time_of_date: skipped (see above)
  }
  return { versions, fallback: list.length ? convertModelPrice(list[0].prices, provider, model.id, EPOCH) : null }
}

// ---------------------------------------------------------------------------
// Provider and model names from real traffic

/**
 * OpenTelemetry gen_ai.provider.name and the older gen_ai.system values, and
 * common spellings, → genai-prices provider ids. Anything else is passed to the
 * package as is (it matches ids and its own provider_match rules: "google-vertex",
 * "amazon", "together_ai"…). "azure.ai.openai" must be mapped here: the package's
 * rule for openai (contains "openai") would otherwise claim it.
 */
const PROVIDER_ALIASES: Record<string, string> = {
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  vertex_ai: 'google',
  vertexai: 'google',
  google_genai: 'google',
  'google-genai': 'google',
  'google-gla': 'google',
  'google-vertex': 'google',
  'aws.bedrock': 'aws',
  bedrock: 'aws',
  aws_bedrock: 'aws',
  'aws-bedrock': 'aws',
  'amazon-bedrock': 'aws',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.inference': 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  azure_ai: 'azure',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  x_ai: 'x-ai',
  xai: 'x-ai',
  grok: 'x-ai',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  google_ai: 'google',
  anthropic_ai: 'anthropic',
  openai_api: 'openai',
}

export function normalizeProvider(provider: string | null | undefined): string {
  const p = (provider ?? '').trim().toLowerCase()
  return PROVIDER_ALIASES[p] ?? p
}

// Dated snapshot suffixes the package's own rules may not list: "-2024-08-06", "-20250929", "-0613".
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/

function withoutDates(model: string): string[] {
  const out = [model]
  let m = model
  while (DATE_SUFFIX.test(m)) {
    m = m.replace(DATE_SUFFIX, '')
    out.push(m)
  }
  return out
}

/** (providerId | undefined, model) pairs to try, in order. */
function attempts(provider: string, model: string): [string | undefined, string][] {
  const out: [string | undefined, string][] = []
  const slash = model.indexOf('/')
  const rest = slash > 0 ? model.slice(slash + 1) : null
  if (provider) {
    // The full name first: some providers' ids contain a slash (openrouter "openai/gpt-4o", together "meta-llama/…").
    out.push([provider, model])
    if (rest) out.push([provider, rest])
  } else {
    if (rest) {
      // "openai/gpt-4o" with no provider: the prefix names it.
      const prefix = normalizeProvider(model.slice(0, slash))
      if (findProvider({ providerId: prefix })) out.push([prefix, rest])
    }
    // No provider: the package's model-based provider rules ("gpt-…" → openai, "claude" → anthropic…).
    out.push([undefined, model])
  }
  return out.flatMap(([p, m]) => withoutDates(m).map((d): [string | undefined, string] => [p, d]))
}

type TResolved = TVersions | null

function resolve(provider: string, model: string): TResolved {
  for (const [p, m] of attempts(provider, model)) {
    // calcPrice is used only for its matching (provider ids / provider_match /
    // model_match, each model's match rules, YYYYMMDD → YYYY-MM-DD, a
    // provider's fallback_model_providers). Its float totals are ignored.
    const r = calcPrice({}, m, { providerId: p, timestamp: EPOCH })
    if (r) return versionsOf(r.model, r.provider.id)
  }
  return null
}

// Resolution is deterministic, so it is cached per (provider, model) as sent.
// Bounded: a client sending endless distinct names cannot grow it without limit.
const MAX_CACHE = 20_000
const cache = new Map<string, TResolved>()

/** The catalog price in force for this call at `at`, or null. Model matching survives real traffic: the package's match rules, plus: case-insensitive, provider prefixes in the model ("openai/gpt-4o" with provider omitted), dated snapshots ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929"), and provider aliases from OpenTelemetry gen_ai.provider.name / gen_ai.system (e.g. "gcp.gemini"/"gcp.vertex_ai"/"gemini"/"vertex_ai" → google, "aws.bedrock" → aws/bedrock, "azure.ai.openai"/"azure" → azure, "mistral_ai" → mistral, "x_ai"/"xai" → x-ai). */
export function catalogModelPrice(provider: string | null | undefined, model: string, at: Date): TModelPrice | null {
  const key = `${provider ?? ''}\u0000${model}`
  let r = cache.get(key)
  if (r === undefined) {
    const m = model.trim().toLowerCase()
    r = m ? resolve(normalizeProvider(provider), m) : null
    if (cache.size >= MAX_CACHE) cache.clear()
    cache.set(key, r)
  }
  return r ? pick(r, at) : null
}

// ---------------------------------------------------------------------------
// Browsing the catalog (the pricing page)

/** A catalog price as JSON (the pricing page lists and searches them): lib/prices/schema.ts */
export type { TCatalogEntry } from '@/lib/prices/schema'
import type { TCatalogEntry } from '@/lib/prices/schema'

/**
 * The package exports no list of its providers, only findProvider(id): these
 * are the ids in 0.1.8 (catalog.test.ts checks each is found), first-party
 * providers first. Pricing does not depend on this list, only browsing does.
 */
export const CATALOG_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'cohere',
  'x-ai',
  'deepseek',
  'aws',
  'azure',
  'groq',
  'perplexity',
  'together',
  'fireworks',
  'cerebras',
  'moonshotai',
  'minimax',
  'zhipuai',
  'zai',
  'voyageai',
  'openrouter',
  'arcee',
  'avian',
  'baseten',
  'cloudflare',
  'cursor',
  'doubleword',
  'github-copilot',
  'modal',
  'novita',
  'ovhcloud',
  'quicksilverpro',
  'typesafe',
  'huggingface_cerebras',
  'huggingface_fireworks-ai',
  'huggingface_groq',
  'huggingface_hyperbolic',
  'huggingface_nebius',
  'huggingface_novita',
  'huggingface_nscale',
  'huggingface_ovhcloud',
  'huggingface_publicai',
  'huggingface_sambanova',
  'huggingface_together',
] as const

/** Catalog prices in force at `at` whose provider, model id or name contains every word of `query` (case-insensitive), at most `limit`. */
export function searchCatalog(query: string, at: Date = new Date(), limit = 200): TCatalogEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const out: TCatalogEntry[] = []
  for (const id of CATALOG_PROVIDERS) {
    const provider = findProvider({ providerId: id })
    if (!provider) continue
    for (const m of provider.models) {
      const text = `${provider.id}/${m.id} ${m.name ?? ''}`.toLowerCase()
      if (!words.every((w) => text.includes(w))) continue
      const p = pick(versionsOf(m, provider.id), at)
      if (!p) continue
      out.push({
        provider: p.provider,
        model: p.model,
        name: m.name ?? null,
        effective_from: p.effective_from.toISOString(),
        input_per_mtok: p.input_per_mtok,
        cached_input_per_mtok: p.cached_input_per_mtok ?? null,
        cache_write_per_mtok: p.cache_write_per_mtok ?? null,
        output_per_mtok: p.output_per_mtok,
        per_request: p.per_request ?? null,
        tiers: p.tiers ?? null,
      })
      if (out.length >= limit) return out
    }
  }
  return out
}
