import type { Metadata } from 'next'
import Link from 'next/link'
import { openapiDocument } from '@/lib/api/openapi'
import { SchemaFields } from '@/components/docs/schema-view'

// The API reference: rendered from the same OpenAPI document as
// GET /api/v1/openapi.json (itself generated from the route declarations), so
// it cannot say something the server does not do. The reader's question:
// "which endpoint do I call, with what, and what comes back?"

export const metadata: Metadata = { title: 'API reference — Outlay' }

type TOp = {
  operationId: string
  summary: string
  description?: string
  tags: string[]
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> }[]
  requestBody?: { description?: string; content: Record<string, { schema: Record<string, unknown>; example?: unknown }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>
}

const METHOD_STYLE: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800',
  post: 'bg-emerald-100 text-emerald-800',
  put: 'bg-amber-100 text-amber-800',
  patch: 'bg-violet-100 text-violet-800',
  delete: 'bg-rose-100 text-rose-800',
}

export default function ApiReference() {
  const doc = openapiDocument()
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op: op as TOp })))
  const tags = [...new Set(ops.map((o) => o.op.tags[0]))].sort()
  const errorSchema = (doc.components as { schemas: { Error: Record<string, unknown> } }).schemas.Error
  return (
    <div className="mx-auto flex max-w-7xl gap-8 px-6 py-8">
      <nav aria-label="Endpoints" className="sticky top-6 hidden max-h-[calc(100vh-3rem)] w-64 shrink-0 overflow-y-auto text-sm lg:block">
        <p className="mb-2 font-semibold text-slate-900">Endpoints</p>
        {tags.map((tag) => (
          <div key={tag} className="mb-3">
            <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">{tag}</p>
            <ul>
              {ops
                .filter((o) => o.op.tags[0] === tag)
                .map((o) => (
                  <li key={o.op.operationId}>
                    <a className="block truncate py-0.5 text-slate-700 hover:text-slate-950 hover:underline" href={`#${o.op.operationId}`}>
                      <span className="inline-block w-12 font-mono text-xs uppercase text-slate-500">{o.method}</span>
                      {o.op.summary}
                    </a>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>
      <main className="min-w-0 flex-1">
        <h1 className="text-2xl font-semibold text-slate-900">Outlay API reference</h1>
        <p className="mt-2 max-w-3xl text-slate-700">{String((doc.info as { description: string }).description)}</p>
        <p className="mt-2 text-sm text-slate-600">
          {ops.length} operations. The machine-readable document is{' '}
          <Link className="underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </Link>{' '}
          (OpenAPI 3.1): generate a client from it, or load it in any OpenAPI tool. Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>{' '}
          (Settings › API keys); the dashboard’s signed-in session works too.
        </p>
        <section aria-labelledby="errors" className="mt-6 rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="errors" className="font-semibold text-slate-900">
            Errors
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            Every error answer has this shape; <code>code</code> is one of a closed set, and a 400 lists each problem as <code>&quot;field: reason&quot;</code>{' '}
            in <code>details.errors</code>.
          </p>
          <div className="mt-2">
            <SchemaFields schema={errorSchema} />
          </div>
        </section>
        {tags.map((tag) => (
          <section key={tag} aria-labelledby={`tag-${tag}`} className="mt-10">
            <h2 id={`tag-${tag}`} className="border-b border-slate-200 pb-1 text-xl font-semibold text-slate-900">
              {tag}
            </h2>
            {ops
              .filter((o) => o.op.tags[0] === tag)
              .map(({ path, method, op }) => (
                <article key={op.operationId} id={op.operationId} className="mt-6 scroll-mt-6 rounded-lg border border-slate-200 bg-white p-4">
                  <h3 className="flex flex-wrap items-center gap-2 font-mono text-sm">
                    <span className={`rounded px-2 py-0.5 text-xs font-bold uppercase ${METHOD_STYLE[method] ?? ''}`}>{method}</span>
                    <span className="text-slate-900">{path}</span>
                  </h3>
                  <p className="mt-1 font-medium text-slate-900">{op.summary}</p>
                  {op.description
                    ? op.description.split('\n\n').map((para, i) => (
                        <p key={i} className="mt-1 text-sm text-slate-700">
                          {para}
                        </p>
                      ))
                    : null}
                  {op.parameters?.length ? (
                    <div className="mt-3">
                      <h4 className="text-sm font-semibold text-slate-900">Parameters</h4>
                      <ul>
                        {op.parameters.map((p) => (
                          <li key={`${p.in}-${p.name}`} className="py-0.5 text-sm">
                            <code className="font-semibold">{p.name}</code>{' '}
                            <span className="text-slate-500">
                              ({p.in}
                              {p.required ? ', required' : ''})
                            </span>
                            {p.description ? <span className="text-slate-700"> — {p.description}</span> : null}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ) : null}
                  {op.requestBody ? (
                    <div className="mt-3">
                      <h4 className="text-sm font-semibold text-slate-900">Body</h4>
                      {op.requestBody.description ? <p className="text-sm text-slate-600">{op.requestBody.description}</p> : null}
                      {Object.entries(op.requestBody.content).map(([ct, c]) => (
                        <div key={ct}>
                          <p className="text-xs text-slate-500">{ct}</p>
                          <SchemaFields schema={c.schema} />
                          {c.example !== undefined ? (
                            <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{JSON.stringify(c.example, null, 2)}</pre>
                          ) : null}
                        </div>
                      ))}
                    </div>
                  ) : null}
                  <div className="mt-3">
                    <h4 className="text-sm font-semibold text-slate-900">Answers</h4>
                    {Object.entries(op.responses)
                      .filter(([s]) => Number(s) < 400)
                      .map(([status, r]) => (
                        <details key={status} className="mt-1" open>
                          <summary className="cursor-pointer text-sm">
                            <span className="font-mono font-semibold text-emerald-700">{status}</span> {r.description}
                          </summary>
                          {r.content?.['application/json'] ? (
                            <div className="mt-1">
                              <SchemaFields schema={r.content['application/json'].schema} />
                            </div>
                          ) : null}
                          {Object.keys(r.content ?? {})
                            .filter((ct) => ct !== 'application/json')
                            .map((ct) => (
                              <p key={ct} className="text-xs text-slate-500">
                                also as {ct}
                              </p>
                            ))}
                        </details>
                      ))}
                    <p className="mt-1 text-sm text-slate-600">
                      Errors:{' '}
                      {Object.entries(op.responses)
                        .filter(([s]) => Number(s) >= 400)
                        .map(([s, r]) => (
                          <span key={s} title={r.description} className="mr-2 font-mono">
                            {s}
                          </span>
                        ))}
                    </p>
                  </div>
                </article>
              ))}
          </section>
        ))}
      </main>
    </div>
  )
}
