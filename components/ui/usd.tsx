import { exactUsdPerHour, formatCount, formatUsd, formatUsdPerHour, isUnpricedOnly } from '@/lib/format'

/** The "unpriced" badge shown where a figure's calls have no price yet (its cost is unknown, not $0.00). */
export function UnpricedBadge({ events }: { events: number }) {
  return (
    <span
      className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800"
      title={`${formatCount(events)} call${events === 1 ? '' : 's'} of models without a price: add their price on the Pricing page`}
      data-testid="unpriced-badge"
    >
      unpriced
    </span>
  )
}

/** Money as every page shows it (lib/format.ts formatUsd), or the "unpriced" badge when all its calls lack a price. */
export function Usd({ value, unpriced, precise }: { value: string | number; unpriced?: number | null; precise?: boolean }) {
  if (isUnpricedOnly(value, unpriced)) return <UnpricedBadge events={unpriced ?? 0} />
  return <>{formatUsd(value, { precise })}</>
}

/** A GPU's price per hour to the cent ("$2.49/h"), the exact price on hover. */
export function GpuHourPrice({ value }: { value: string | null }) {
  if (value === null) return <>—</>
  return (
    <span title={exactUsdPerHour(value)} data-exact={value}>
      {formatUsdPerHour(value)}
    </span>
  )
}
