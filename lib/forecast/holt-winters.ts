// Additive Holt-Winters (level, trend, weekly season) for daily spend, pure.
// Parameters are fitted by a grid search on one-step-ahead squared error; the
// prediction band uses the additive model's h-step variance (Hyndman et al.,
// "Forecasting with Exponential Smoothing", class 1 models):
//   var_h = σ² · [1 + Σ_{j=1}^{h-1} (α(1 + jβ) + γ·[j mod m = 0])²]
// Values are model estimates (floats); callers round them to the cent when
// they show them and never add them to recorded spend as exact money.

export type THwParams = { alpha: number; beta: number; gamma: number }
export type THwFit = THwParams & { season: number; level: number; trend: number; seasonals: number[]; sigma: number; sse: number; n: number }
export type TForecastPoint = { mean: number; lower: number; upper: number }

const GRID = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
const BETA_GRID = [0, 0.01, 0.05, 0.1, 0.2]
const Z95 = 1.959964

/** Run the recursions with given parameters; returns the final state and the one-step errors. */
export function runHoltWinters(y: number[], m: number, p: THwParams): Omit<THwFit, 'sigma'> & { errors: number[] } {
  // Initial state from the first two seasons: level = mean of season 1, trend = mean change per step between seasons, seasonals = deviations in season 1.
  const s1 = y.slice(0, m)
  const s2 = y.slice(m, 2 * m)
  let level = s1.reduce((a, b) => a + b, 0) / m
  let trend = s2.length === m ? (s2.reduce((a, b) => a + b, 0) / m - level) / m : 0
  const seasonals = s1.map((v) => v - level)
  const errors: number[] = []
  let sse = 0
  for (let t = m; t < y.length; t++) {
    const s = seasonals[t % m]
    const forecast = level + trend + s
    const e = y[t] - forecast
    errors.push(e)
    sse += e * e
    const prevLevel = level
    level = p.alpha * (y[t] - s) + (1 - p.alpha) * (level + trend)
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * trend
    seasonals[t % m] = p.gamma * (y[t] - level) + (1 - p.gamma) * s
  }
  return { ...p, season: m, level, trend, seasonals, sse, n: y.length, errors }
}

/** Fit α, β, γ by grid search (one-step-ahead SSE). Needs at least two full seasons. */
export function fitHoltWinters(y: number[], m = 7): THwFit {
  if (y.length < 2 * m) throw new Error(`need at least ${2 * m} points to fit a season of ${m}, got ${y.length}`)
  let best: ReturnType<typeof runHoltWinters> | null = null
  for (const alpha of GRID)
    for (const beta of BETA_GRID)
      for (const gamma of GRID) {
        const r = runHoltWinters(y, m, { alpha, beta, gamma })
        if (!best || r.sse < best.sse) best = r
      }
  const { errors, ...fit } = best!
  const dof = Math.max(1, errors.length - 3)
  return { ...fit, sigma: Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / dof) }
}

/** h steps ahead from the end of the fitted series, with a 95% band; spend is never negative. */
export function forecastHoltWinters(fit: THwFit, h: number): TForecastPoint[] {
  const out: TForecastPoint[] = []
  let acc = 0
  for (let k = 1; k <= h; k++) {
    const mean = fit.level + k * fit.trend + fit.seasonals[(fit.n + k - 1) % fit.season]
    if (k > 1) acc += carry(fit, k - 1) ** 2
    const sd = fit.sigma * Math.sqrt(1 + acc)
    out.push({ mean: Math.max(0, mean), lower: Math.max(0, mean - Z95 * sd), upper: Math.max(0, mean + Z95 * sd) })
  }
  return out
}

/**
 * How much to trust the model on this series: fit on all but the last
 * `holdout` days, forecast them, and compare (mean absolute percentage error
 * over the days with spend; null when none or the series is too short).
 */
export function backtestMape(y: number[], holdout = 28, m = 7): number | null {
  if (y.length < holdout + 2 * m) return null
  const train = y.slice(0, y.length - holdout)
  const actual = y.slice(y.length - holdout)
  const f = forecastHoltWinters(fitHoltWinters(train, m), holdout)
  const pct = actual.map((a, i) => (a > 0 ? Math.abs(a - f[i].mean) / a : null)).filter((x): x is number => x !== null)
  return pct.length ? pct.reduce((a, b) => a + b, 0) / pct.length : null
}

/** c_j: how much a one-step error j steps back still moves the forecast (additive model). */
const carry = (fit: THwFit, j: number) => fit.alpha * (1 + j * fit.beta) + (j % fit.season === 0 ? fit.gamma : 0)

/**
 * The total of steps `from`..`to` (1-based, inclusive) ahead, with a 95% band
 * from the model's variance of that sum: each future error ε_i moves every
 * later step by c_(k−i), so Var = σ² Σ_i (1[i≥from] + Σ_{k=max(i+1,from)}^{to} c_(k−i))².
 */
export function sumForecast(fit: THwFit, from: number, to: number): TForecastPoint {
  if (to < from) return { mean: 0, lower: 0, upper: 0 }
  const points = forecastHoltWinters(fit, to)
  let mean = 0
  for (let k = from; k <= to; k++) mean += points[k - 1].mean
  let v = 0
  for (let i = 1; i <= to; i++) {
    let w = i >= from ? 1 : 0
    for (let k = Math.max(i + 1, from); k <= to; k++) w += carry(fit, k - i)
    v += w * w
  }
  const sd = fit.sigma * Math.sqrt(v)
  return { mean, lower: Math.max(0, mean - Z95 * sd), upper: mean + Z95 * sd }
}
