import { SubTabs } from '@/components/ui/sub-tabs'

/** The GPU fleet area's two pages: the pools themselves, and what each scenario costs with them. */
export function FleetTabs({ org, current }: { org: string; current: 'fleet' | 'scenarios' }) {
  return (
    <SubTabs
      label="GPU fleet"
      current={current}
      tabs={[
        { key: 'fleet', href: `/${org}/fleet`, label: 'Pools and utilization' },
        { key: 'scenarios', href: `/${org}/fleet/scenarios`, label: 'Scenario cost' },
      ]}
    />
  )
}
