import type { Server } from 'node:http'

// A real OpenID Connect provider for the SSO spec (the `oidc-provider` package, certified by the OpenID
// Foundation), in memory: any login is accepted (its development login page), and the account's email is the
// login itself, verified unless it starts with "unverified-". The app under test reaches it through
// OIDC_ISSUER, which scripts/e2e-server.sh points at E2E_PORT+2000 with this client id and secret.

export const OIDC_CLIENT = { id: 'outlay-e2e', secret: 'outlay-e2e-oidc-client-secret' }

export async function startOidcProvider(port: number, appOrigin: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  // the package is ESM-only
  const { default: Provider } = await import('oidc-provider')
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: [`${appOrigin}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // the scope's claims in the ID token itself (next-auth reads the ID token, not userinfo)
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub.replace(/^unverified-/, ''), email_verified: !sub.startsWith('unverified-'), name: sub.split('@')[0] }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['e2e-oidc-provider-cookie-key'] },
  })
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s))
  })
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
