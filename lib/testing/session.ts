import { AsyncLocalStorage } from 'node:async_hooks'
import { decode, encode } from 'next-auth/jwt'
import { env } from '@/lib/env'
import type { TSessionUser } from '@/lib/auth/session'

// Signed-in requests for calling route handlers directly in integration tests.
// next-auth's getServerSession reads the cookie through next/headers, which
// only works inside Next.js's request scope; a test replaces sessionUser with
// `sessionUserOf(the request being handled)`, which reads the same cookie —
// a real next-auth JWT, sealed with the app's secret — from the Request itself:
//
//   vi.mock('@/lib/auth/session', async (original) => ({
//     ...(await original()), sessionUser: async () => (await import('@/lib/testing/session')).sessionUserOfHandled(),
//   }))
//
// and calls its routes with callRoute(handler, request), which records the request being handled.

const COOKIE = 'next-auth.session-token' // the name next-auth uses when NEXTAUTH_URL is not https

/** A Cookie header value holding a session for `user`, as next-auth's sign-in would set it. */
export async function sessionCookie(user: { id: string; email: string; name?: string | null }): Promise<string> {
  const token = await encode({ token: { uid: user.id, sub: user.id, email: user.email, name: user.name ?? null }, secret: env().NEXTAUTH_SECRET })
  return `${COOKIE}=${token}`
}

/** The signed-in user of a request's session cookie, or null (no cookie, or one not sealed with our secret). */
export async function sessionUserOf(req: Request | null): Promise<TSessionUser | null> {
  const cookie = req?.headers.get('cookie') ?? ''
  const value = cookie
    .split(/;\s*/)
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1)
  if (!value) return null
  const token = await decode({ token: value, secret: env().NEXTAUTH_SECRET }).catch(() => null)
  if (!token || typeof token.uid !== 'string' || typeof token.email !== 'string') return null
  return { id: token.uid, email: token.email, name: typeof token.name === 'string' ? token.name : null }
}

type THandler = (req: Request, ctx?: { params?: Promise<Record<string, string>> }) => Promise<Response>
// per call, so that concurrent calls (two admins at once) each read their own request's cookie
const handled = new AsyncLocalStorage<Request>()

/** Call a route handler directly, as Next.js would, remembering the request for sessionUserOfHandled. */
export function callRoute(handler: THandler, req: Request, params: Record<string, string> = {}): Promise<Response> {
  return handled.run(req, () => handler(req, { params: Promise.resolve(params) }))
}

/** The signed-in user of the request callRoute is handling. */
export const sessionUserOfHandled = (): Promise<TSessionUser | null> => sessionUserOf(handled.getStore() ?? null)
