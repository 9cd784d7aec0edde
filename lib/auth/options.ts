import 'server-only'
import { DAY_S } from '@/lib/domain'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import type { OAuthConfig } from 'next-auth/providers/oauth'
import { env, oidcConfig, type TOidcConfig } from '@/lib/env'
import { signInWithOidc } from '@/lib/auth/sso'
import { sessionState, signInWithPassword } from '@/lib/auth/accounts'
import { safeRedirect } from '@/lib/auth/redirect'
import { clientAddress } from '@/lib/http/client-address'
import { log } from '@/lib/log'

/** Thrown by the jwt callback when a session no longer counts: next-auth then answers no session and clears the cookie. */
export const SESSION_REVOKED = 'session_revoked'

/**
 * Errors the sign-in form reads from next-auth's answer (`error`): "CredentialsSignin" for a wrong email or
 * password (alike for unknown emails), "throttled:<seconds>", or "unverified".
 */
export const SIGNIN_THROTTLED = 'throttled'
export const SIGNIN_UNVERIFIED = 'unverified'

/** next-auth's id of the OpenID Connect provider: its redirect URI is <NEXTAUTH_URL>/api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = 'oidc'
/** Errors an SSO sign-in brings back to the sign-in page (`/signin?error=…`), read by components/auth/signin-form.tsx. */
export const SSO_ERRORS = { no_account: 'SsoNoAccount', unverified: 'SsoUnverified', invalid: 'SsoInvalid' } as const

type TOidcProfile = { sub: string; email?: string; name?: string | null }

/** The OpenID Connect provider (discovery, authorization code with PKCE and state, claims from the verified ID token). */
function oidcProvider(o: TOidcConfig): OAuthConfig<TOidcProfile> {
  return {
    id: OIDC_PROVIDER_ID,
    name: o.name,
    type: 'oauth',
    wellKnown: `${o.issuer}/.well-known/openid-configuration`,
    issuer: o.issuer,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    authorization: { params: { scope: 'openid email profile' } },
    idToken: true,
    checks: ['pkce', 'state'],
    // replaced by our user's id in the signIn callback (lib/auth/sso.ts decides who this is)
    profile: (p) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? null }),
  }
}

export function authOptions(): NextAuthOptions {
  const oidc = oidcConfig()
  const url = env().NEXTAUTH_URL
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: 7 * DAY_S },
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
      ...(oidc ? [oidcProvider(oidc)] : []),
    ],
    callbacks: {
      // Password sign-ins are decided in authorize(); an SSO sign-in here, from the ID token's claims: our user
      // (existing, or made and joined by allowed domain) replaces the provider's profile, so the jwt callback
      // below writes the same claims (uid, sv) as for a password.
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true
        const r = await signInWithOidc(profile)
        if (!r.ok) return `/signin?error=${SSO_ERRORS[r.reason]}`
        Object.assign(user, { id: r.user.id, email: r.user.email, name: r.user.name, sessionVersion: r.user.sessionVersion })
        return true
      },
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
        log({ component: 'next-auth', code }).error(metadata instanceof Error ? { err: metadata } : { metadata }, 'next-auth error')
      },
      warn(code) {
        log({ component: 'next-auth', code }).warn('next-auth warning')
      },
      debug() {},
    },
  }
}
