'use client'
import Link from 'next/link'
import { usePolicies } from '@/components/routing/queries'
import { useCan } from '@/components/layout/role-context'
import { draftQuery, parseModelLines } from '@/lib/routing/form'

/** A step's routing policies (any segment) as links to their editor, or where to create one. */
export function StepPolicyLink({ org, workflow, step, candidates = [] }: { org: string; workflow: string; step: string; candidates?: string[] }) {
  // routing configuration is for the roles that read the organization's views (not customer success)
  if (!useCan('metrics.read')) return <span className="text-slate-500">Not shown to your role</span>
  return <Policies org={org} workflow={workflow} step={step} candidates={candidates} />
}

function Policies({ org, workflow, step, candidates }: { org: string; workflow: string; step: string; candidates: string[] }) {
  const list = usePolicies(org)
  if (list.error) return <span className="text-red-700">Could not load the policies: {list.error.message}</span>
  if (!list.data) return <span className="text-slate-500">…</span>
  const mine = list.data.policies.filter((p) => p.workflow_id === workflow && p.step === step)
  if (!mine.length)
    return (
      <span className="text-slate-500">
        None:{' '}
        <Link
          className="text-brand-700 hover:underline"
          href={`/${org}/routing?${draftQuery({ workflow_id: workflow, step, candidates: candidates.flatMap((c) => parseModelLines(c).models), from: 'decision-record' })}`}
        >
          create one on the Routing page
        </Link>{' '}
        to pick the cheapest model that clears this step&apos;s quality bar
      </span>
    )
  return (
    <>
      {mine.map((p) => (
        <Link key={p.id} className="mr-3 text-brand-700 hover:underline" href={`/${org}/routing/${p.id}`}>
          {[p.environment, p.account_id && `account ${p.account_id}`].filter(Boolean).join(', ') || 'all traffic'}:{' '}
          {p.published
            ? `v${p.published.version}, ${p.published.chosen ? `${p.published.chosen.provider}/${p.published.chosen.model}` : '—'}`
            : 'draft, not published'}
        </Link>
      ))}
    </>
  )
}
