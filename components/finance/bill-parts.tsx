import type { ReactNode } from 'react'
import { WHOLE_BILL_LABELS, WHOLE_BILL_PARTS, type TWholeBillPart } from '@/lib/finance/schema'

// The whole bill's rows as every page names them (the monthly report, the
// forecast, the overview): the part's name, its definition on hover, then the
// page's own figures. No hooks: server and client components both use it.

export const BILL_ROWS = [...WHOLE_BILL_PARTS, 'total_usd'] as const satisfies readonly (TWholeBillPart | 'total_usd')[]
export type TBillRow = (typeof BILL_ROWS)[number]

export function BillPartRow({ part, children }: { part: TBillRow; children: ReactNode }) {
  return (
    <tr className={`border-t border-slate-100 ${part === 'total_usd' ? 'font-semibold' : ''}`} data-part={part}>
      <td className="py-1">
        <abbr title={WHOLE_BILL_LABELS[part].hint} className="no-underline">
          {WHOLE_BILL_LABELS[part].label}
        </abbr>
      </td>
      {children}
    </tr>
  )
}
