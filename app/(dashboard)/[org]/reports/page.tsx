import { redirect } from 'next/navigation'

// Reports: the monthly report is the landing page (the quarterly audit links from it).
export default async function ReportsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  redirect(`/${org}/reports/monthly`)
}
