import { SubTabs } from '@/components/ui/sub-tabs'

/** The Reports area's pages: the monthly report, and the bills with their reconciliation. */
export function ReportsTabs({ org, current }: { org: string; current: 'monthly' | 'reconciliation' | 'bills' }) {
  return (
    <SubTabs
      label="Reports"
      current={current}
      className="print:hidden"
      tabs={[
        { key: 'monthly', href: `/${org}/reports/monthly`, label: 'Monthly report' },
        { key: 'reconciliation', href: `/${org}/reports/reconciliation`, label: 'Reconciliation' },
        { key: 'bills', href: `/${org}/reports/bills`, label: 'Bills' },
      ]}
    />
  )
}
