import Link from 'next/link'
import { redirect } from 'next/navigation'
import { sessionUser } from '@/lib/auth/session'
import { membershipsOf } from '@/lib/orgs'
import { landingPath } from '@/lib/auth/permissions'
import { ChangePasswordForm, SignOutEverywhere } from '@/components/account/account-controls'

export const dynamic = 'force-dynamic'

// The signed-in user's own controls; checks the session itself.
export default async function AccountPage() {
  const user = await sessionUser()
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent('/account')}`)
  const memberships = await membershipsOf(user.id)
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-3xl items-center gap-4 px-6 py-3">
          <Link href="/" className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" width={24} height={24} /> Outlay
          </Link>
          <nav aria-label="Your organizations" className="ml-auto flex flex-wrap gap-3 text-sm">
            {memberships.map((m) => (
              <Link key={m.org.id} href={landingPath(m.org.slug, m.role)} className="text-brand-600 hover:underline">
                {m.org.name}
              </Link>
            ))}
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-3xl space-y-6 px-6 py-6">
        <div>
          <h1 className="text-xl font-semibold">Your account</h1>
          <p className="mt-1 text-sm text-slate-600">Signed in as {user.email}.</p>
        </div>
        <section aria-labelledby="your-orgs" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
          <h2 id="your-orgs" className="text-sm font-semibold text-slate-900">
            Your organizations
          </h2>
          <p className="mt-0.5 mb-3 text-xs text-slate-500">Each one&apos;s members, your role there, and leaving it.</p>
          <ul className="divide-y divide-slate-100 text-sm">
            {memberships.map((m) => (
              <li key={m.org.id} className="flex items-center justify-between py-2">
                <span>
                  <span className="font-medium">{m.org.name}</span> <span className="text-slate-500">· {m.role.replace('_', ' ')}</span>
                </span>
                <Link href={`/${m.org.slug}/settings/members`} className="text-brand-600 hover:underline">
                  Members
                </Link>
              </li>
            ))}
          </ul>
        </section>
        <ChangePasswordForm email={user.email} />
        <SignOutEverywhere />
      </main>
    </div>
  )
}
