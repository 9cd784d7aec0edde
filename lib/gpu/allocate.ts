// Splitting a shared pool's cost between the scenarios it serves: exact
// integer micro-dollars by the largest-remainder method, so the parts always
// add up to the total.

export type TAllocationRule = 'gpu_seconds' | 'share' | 'even'

/**
 * total split in proportion to weights: each gets ⌊total × w / Σw⌋, and the
 * micro-dollars left over go one each to the largest remainders (ties: the
 * earlier key). All weights zero (or none positive): an even split. The parts
 * sum to total exactly.
 */
export function largestRemainder(total: bigint, weights: readonly { key: string; weight: number }[]): Map<string, bigint> {
  const out = new Map<string, bigint>()
  if (weights.length === 0) return out
  // Weights (GPU-seconds with 6 decimals, shares) as exact integers of millionths, so the division is bigint arithmetic.
  const scaled = weights.map((w) => (Number.isFinite(w.weight) && w.weight > 0 ? BigInt(Math.round(w.weight * 1e6)) : 0n))
  const positive = scaled.some((w) => w > 0n)
  const ints = positive ? scaled : scaled.map(() => 1n)
  const sum = ints.reduce((s, w) => s + w, 0n)
  const sign = total < 0n ? -1n : 1n
  const abs = total * sign
  const parts = ints.map((w, i) => ({ i, floor: (abs * w) / sum, rem: (abs * w) % sum }))
  let left = abs - parts.reduce((s, p) => s + p.floor, 0n)
  const order = [...parts].sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i))
  for (const p of order) {
    if (left === 0n) break
    p.floor += 1n
    left -= 1n
  }
  for (const p of parts) out.set(weights[p.i].key, p.floor * sign)
  return out
}

/** The weights a pool's rule gives its scenarios; `used` is GPU-seconds per scenario on the pool in the period. */
export function ruleWeights(
  rule: TAllocationRule,
  serves: readonly string[],
  used: ReadonlyMap<string, number>,
  shares: Record<string, number> | null,
): { key: string; weight: number }[] {
  return serves.map((s) => ({ key: s, weight: rule === 'even' ? 1 : rule === 'share' ? (shares?.[s] ?? 0) : (used.get(s) ?? 0) }))
}
