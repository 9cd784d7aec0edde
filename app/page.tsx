import { redirect } from 'next/navigation'
import { sessionUser } from '@/lib/auth/session'
import { membershipsOf } from '@/lib/orgs'

export const dynamic = 'force-dynamic'

export default async function Home() {
  const user = await sessionUser()
  if (!user) redirect('/signin')
  const [first] = await membershipsOf(user.id)
  redirect(first ? `/${first.org.slug}/overview` : '/signup')
}
