import { redirect } from 'next/navigation'
import { sessionUser } from '@/lib/auth/session'
import { membershipsOf } from '@/lib/orgs'
import { landingPage } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function Home() {
  const user = await sessionUser()
  if (!user) redirect('/signin')
  const [first] = await membershipsOf(user.id)
  // each member lands on what their role comes to (customer success: Accounts)
  redirect(first ? `/${first.org.slug}/${landingPage(first.role)}` : '/signup')
}
