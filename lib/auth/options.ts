import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { env } from '@/lib/env'
import { sessionState, signInWithPassword } from '@/lib/auth/accounts'
import { safeRedirect } from '@/lib/auth/redirect'
import { clientAddress } from '@/lib/http/client-address'

/** Thrown by the jwt callback when a session no longer counts: next-auth then answers no session and clears the cookie. */
export const SESSION_REVOKED = 'session_revoked'

/**
 * Errors the sign-in form reads from next-auth's answer (`error`): "CredentialsSignin" for a wrong email or
 * password (alike for unknown emails), "throttled:<seconds>", or "unverified".
 */
export const SIGNIN_THROTTLED = 'throttled'
export const SIGNIN_UNVERIFIED = 'unverified'

export function authOptions(): NextAuthOptions {
  const url = env().NEXTAUTH_URL
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: 7 * 24 * 3600 },
    // Secure (and __Secure- prefixed) cookies whenever the app is served over https.
    useSecureCookies: !!url && url.startsWith('https://'),
    pages: { signIn: '/signin' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const r = await signInWithPassword(credentials, clientAddress((req?.headers ?? {}) as Record<string, string>))
          if (r.ok) return { id: r.user.id, email: r.user.email, name: r.user.name, sessionVersion: r.user.sessionVersion }
          if (r.reason === 'throttled') throw new Error(`${SIGNIN_THROTTLED}:${r.retryAfterS}`)
          if (r.reason === 'unverified') throw new Error(SIGNIN_UNVERIFIED)
          return null
        },
      }),
    ],
    callbacks: {
      // Every request that reads the session runs this: the JWT's session version must still be the user's.
      // Bumping users.session_version (sign out everywhere, a password change or reset) ends every session at once;
      // a deleted user's sessions end too. Roles are never in the token: each request reads the membership.
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0
          return token
        }
        if (typeof token.uid !== 'string') throw new Error(SESSION_REVOKED)
        const state = await sessionState(token.uid)
        // a token from before session versions existed carries none: version 0, the column's default
        if (!state || state.sessionVersion !== (typeof token.sv === 'number' ? token.sv : 0)) throw new Error(SESSION_REVOKED)
        return token
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === 'string') (session.user as { id?: string }).id = token.uid
        return session
      },
      redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl)
      },
    },
    logger: {
      error(code, metadata) {
        if (metadata instanceof Error && metadata.message === SESSION_REVOKED) return // an ended session is not an error
        console.error(`[next-auth][error][${code}]`, metadata)
      },
      warn(code) {
        console.warn(`[next-auth][warn][${code}]`)
      },
      debug() {},
    },
  }
}
