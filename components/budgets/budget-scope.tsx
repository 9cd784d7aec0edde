import Link from 'next/link'
import { Fragment } from 'react'
import { budgetScopeParts, type TBudgetScope } from '@/lib/budgets/view'

/** A budget's scope in words, each workflow, account or feature it watches a link to its page. */
export function BudgetScope({ org, b }: { org: string; b: TBudgetScope }) {
  const parts = budgetScopeParts(org, b)
  if (parts.length === 0) return <>whole organization</>
  return (
    <span data-budget-scope>
      {parts.map((p, i) => (
        <Fragment key={p.dimension}>
          {i > 0 && ' × '}
          {p.dimension}{' '}
          {p.href ? (
            <Link className="font-medium text-brand-600 hover:underline" href={p.href}>
              {p.value}
            </Link>
          ) : (
            p.value
          )}
        </Fragment>
      ))}
    </span>
  )
}
