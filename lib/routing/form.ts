// Text forms of a policy's lists for the editor: "provider/model" per line and
// "metric >= min" per line, and back. Pure; the API validates again.
import type { TModelRef, TPolicySpec } from '@/lib/routing/schema'

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
