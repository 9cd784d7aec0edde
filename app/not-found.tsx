import Link from 'next/link'

// Any URL no page answers (and every `notFound()` without a nearer not-found page): the app's look, a way back.
export default function NotFound() {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-6">
      <section aria-labelledby="not-found" className="max-w-md text-center">
        {/* biome-ignore lint/performance/noImgElement: a tiny static SVG, as in the shell */}
        <img src="/favicon.svg" alt="" width={40} height={40} className="mx-auto mb-4" />
        <p className="mb-1 text-sm font-medium text-brand-600">404</p>
        <h1 id="not-found" className="mb-2 text-2xl font-semibold">
          Page not found
        </h1>
        <p className="mb-6 text-sm text-slate-600">This address leads nowhere in Outlay: it may have been mistyped, or the page has moved.</p>
        <Link href="/" className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Go to the start page
        </Link>
      </section>
    </main>
  )
}
