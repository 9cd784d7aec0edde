'use client'
import { useId, useState } from 'react'
import { definitionOf, type TMetricTerm } from '@/lib/metrics/definitions'

/**
 * The ⓘ after a measure's name: its glossary definition (lib/metrics/definitions.ts) on hover and on keyboard
 * focus, tied to the button by aria-describedby; Escape hides it. The one way a page shows what a figure means.
 */
export function InfoTip({ term, align = 'left' }: { term: TMetricTerm; align?: 'left' | 'right' }) {
  const id = useId()
  const d = definitionOf(term)
  const [dismissed, setDismissed] = useState(false)
  return (
    <span className="group relative mx-1 inline-flex align-middle normal-case">
      <button
        type="button"
        className="inline-flex h-4 w-4 items-center justify-center rounded-full border border-slate-400 text-[10px] font-semibold leading-none text-slate-500 hover:border-slate-700 hover:text-slate-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-500"
        aria-label={`What is ${d.label}?`}
        aria-describedby={id}
        data-testid={`info-${term}`}
        onKeyDown={(e) => e.key === 'Escape' && setDismissed(true)}
        onBlur={() => setDismissed(false)}
        onClick={(e) => e.stopPropagation()}
      >
        i
      </button>
      <span
        role="tooltip"
        id={id}
        data-testid={`definition-${term}`}
        className={`pointer-events-none absolute top-full z-30 mt-1 w-64 rounded-md bg-slate-900 px-2.5 py-2 text-left text-xs font-normal normal-case tracking-normal text-white shadow-lg ${
          align === 'right' ? 'right-0' : 'left-0'
        } ${dismissed ? 'hidden' : 'hidden group-focus-within:block group-hover:block'}`}
      >
        <span className="font-semibold">{d.label}:</span> {d.definition}
      </span>
    </span>
  )
}
