import { orgPage } from '@/components/layout/org-page'
import { Queues } from '@/components/admin/queues'
import { Alert } from '@/components/ui'

export const dynamic = 'force-dynamic'

export default async function AdminPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/admin`, (a) => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Ingestion</h1>
      <p className="mb-6 text-sm text-slate-600">Is ingestion keeping up, and did anything fail?</p>
      {a.membership.role === 'admin' ? <Queues org={org} /> : <Alert tone="info">Only admins can see the queues.</Alert>}
    </>
  ))
}
