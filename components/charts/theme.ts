// One look for every chart: the series palette, the colours with a meaning,
// and the axis, grid, legend and tooltip styles. A series keyed by a name (a
// workflow, a model, a pool) takes its colour from a hash of the name, so it
// keeps that colour on every page and in every period. Pure: no React.

/** The series palette: distinct hues that read on white, in the order a hash spreads them. */
export const SERIES_PALETTE = [
  '#2563eb', // blue
  '#f59e0b', // amber
  '#10b981', // emerald
  '#8b5cf6', // violet
  '#ef4444', // red
  '#0891b2', // cyan
  '#ec4899', // pink
  '#65a30d', // lime
  '#ea580c', // orange
  '#4f46e5', // indigo
] as const

/** Colours with a meaning, the same on every chart. */
export const CHART_COLORS = {
  /** the measured value: spend, a single series */
  primary: '#2563eb',
  /** a projection or a forecast, and its band */
  forecast: '#f59e0b',
  /** a what-if scenario */
  scenario: '#8b5cf6',
  /** more spend, waste, a limit */
  bad: '#ef4444',
  /** less spend, accepted outcomes */
  good: '#10b981',
  /** totals, "other", an even pace, anything without a colour of its own */
  neutral: '#64748b',
  muted: '#94a3b8',
  /** a marker line (a published version) */
  marker: '#0f172a',
} as const

export const GRID_PROPS = { strokeDasharray: '3 3', vertical: false, stroke: '#e2e8f0' } as const
export const AXIS_TICK = { fontSize: 12, fill: '#64748b' } as const
export const LEGEND_STYLE = { fontSize: 12 } as const
export const TOOLTIP_CURSOR = { fill: '#f1f5f9' } as const
/** The tooltip box and its title, the same on every chart (spread on <Tooltip>; bar charts add `cursor={TOOLTIP_CURSOR}`). */
export const TOOLTIP_PROPS = {
  contentStyle: { fontSize: 12, borderRadius: 6, borderColor: '#e2e8f0', padding: '6px 10px' },
  labelStyle: { color: '#0f172a', fontWeight: 500, marginBottom: 2 },
  itemStyle: { padding: 0 },
} as const
export const CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: 8 } as const
/** A chart whose right edge carries a label or a second axis. */
export const CHART_MARGIN_WIDE = { top: 8, right: 16, bottom: 0, left: 8 } as const
/** An axis's title ("tokens / call", "% of calls") in the tick's style, along the axis. */
export function axisLabel(value: string, side: 'left' | 'right' = 'left') {
  return {
    value,
    angle: side === 'left' ? -90 : 90,
    position: side === 'left' ? 'insideLeft' : 'insideRight',
    style: { ...AXIS_TICK, textAnchor: 'middle' },
  } as const
}
/** A day label on the x axis: "2026-11-05" → "11-05". */
export const dayTick = (d: string) => d.slice(5)
/** The tooltip's title for a UTC day or bucket. */
export const utcLabel = (d: unknown) => `${d} (UTC)`

/** Today's UTC day is still filling: every daily chart marks it so a low last bar is not read as a drop. */
export const PARTIAL_DAY_LABEL = 'today (partial)'
/** The x value (a "YYYY-MM-DD…" day or bucket) of today's UTC day among a chart's days, or null when the chart ends before today. */
export function partialDayIn(days: readonly string[], now = new Date()): string | null {
  const today = now.toISOString().slice(0, 10)
  return days.find((d) => d.slice(0, 10) === today) ?? null
}
/** The tooltip's title for a day of a chart whose last day may be today's partial one. */
export const partialDayTooltipLabel = (today: string | null) => (d: unknown) =>
  today !== null && d === today ? `${utcLabel(d)}, ${PARTIAL_DAY_LABEL}` : utcLabel(d)
/** The mark's look: a dashed line with its label (line charts), a pale band (bar charts). */
export const PARTIAL_DAY_LINE = {
  stroke: CHART_COLORS.muted,
  strokeDasharray: '4 3',
  label: { value: PARTIAL_DAY_LABEL, position: 'insideTopRight', fontSize: 11, fill: CHART_COLORS.neutral },
} as const
export const PARTIAL_DAY_AREA = {
  fill: CHART_COLORS.muted,
  fillOpacity: 0.12,
  // anchored at the band's right edge and read leftwards: centred on the last bar, it was cut by the chart's edge
  label: { value: PARTIAL_DAY_LABEL, position: 'insideTopRight', fontSize: 11, fill: CHART_COLORS.neutral },
} as const

/** FNV-1a over the key's UTF-16 code units: a 32-bit hash that is the same in every browser and on the server. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The colour of a series key on its own: always the same for the same key. */
export const seriesColor = (key: string): string => SERIES_PALETTE[hashKey(key) % SERIES_PALETTE.length]

/**
 * The colours of the series drawn together: each key takes its own colour
 * (seriesColor) unless a key before it in sorted order already holds it, then
 * the next free one. Depends on the set of keys only, never on their order,
 * and keeps series of one chart apart while there are colours to go round.
 */
export function seriesColors(keys: readonly string[]): Record<string, string> {
  // no prototype: a series named "__proto__" (any string can be a workflow id) is a key like any other
  const out: Record<string, string> = Object.create(null)
  const taken = new Set<number>()
  const n = SERIES_PALETTE.length
  for (const key of [...new Set(keys)].sort()) {
    let i = hashKey(key) % n
    if (taken.size < n) while (taken.has(i)) i = (i + 1) % n
    taken.add(i)
    out[key] = SERIES_PALETTE[i]
  }
  return out
}

/**
 * The colours of the series a chart draws, the same on every page: seriesColors
 * over the organization's whole set of names of the dimension (every workflow,
 * model or feature it has; components/charts/org-colors.ts fetches them), so a
 * name keeps its colour whichever names are drawn beside it. A key the set does
 * not hold yet (a name newer than the set) joins it; without the set (still
 * loading), the chart's own keys.
 */
export function orgSeriesColors(orgNames: readonly string[] | null | undefined, keys: readonly string[]): Record<string, string> {
  const all = seriesColors(orgNames ? [...orgNames, ...keys] : keys)
  const out: Record<string, string> = Object.create(null)
  for (const k of keys) out[k] = all[k]
  return out
}

/**
 * The colours of a list's rows (a ranked table beside or instead of a chart):
 * seriesColors over every key the list ranks (or, given, over the organization's
 * whole set of names: orgSeriesColors), so a workflow has the colour it has in a
 * chart; the "no value" and "Other" rows, which are not a series, are neutral.
 */
export function listColors(keys: readonly string[], neutral: readonly string[] = [], orgNames?: readonly string[] | null): (key: string) => string {
  const colors = orgSeriesColors(
    orgNames?.filter((k) => !neutral.includes(k)),
    keys.filter((k) => !neutral.includes(k)),
  )
  return (key) => (neutral.includes(key) ? CHART_COLORS.neutral : (colors[key] ?? CHART_COLORS.neutral))
}

/** The GPU pool roles (lib/gpu/cost.ts POOL_ROLES): the fleet page's capacity bar and its legend. */
export const POOL_ROLE_COLORS: Record<string, string> = {
  production: '#4f46e5',
  staging: '#0ea5e9',
  canary: '#f59e0b',
  reserve: '#94a3b8',
  test: '#10b981',
  debug: '#ec4899',
  eval: '#8b5cf6',
}

/** The parts of a scenario's cost (lib/gpu/scenario-cost.ts): the scenarios page's bars and legend. */
export const SCENARIO_PART_COLORS: Record<string, string> = {
  production_inference: '#4f46e5',
  eval_benchmark: '#8b5cf6',
  internal_traffic: '#64748b',
  production_capacity: '#818cf8',
  non_production_capacity: '#0ea5e9',
  reserve: '#94a3b8',
  engineering: '#10b981',
  operations: '#f59e0b',
}
