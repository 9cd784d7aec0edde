import { orgPage } from '@/components/layout/org-page'
import { Queues } from '@/components/admin/queues'
import { TelemetryHealth } from '@/components/admin/telemetry-health'

export const dynamic = 'force-dynamic'

export default async function AdminPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/admin`, () => (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Ingestion</h1>
      <p className="mb-6 text-sm text-slate-600">Is ingestion keeping up, did anything fail, and do our senders label their calls?</p>
      <div className="space-y-6">
        <Queues org={org} />
        <TelemetryHealth org={org} />
      </div>
    </>
  ))
}
