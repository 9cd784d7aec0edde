import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { z } from 'zod'
import { env } from '@/lib/env'
import { findUserByEmail } from '@/lib/orgs'
import { verifyPassword } from '@/lib/auth/passwords'

const ZCredentials = z.object({ email: z.string().trim().toLowerCase().min(3), password: z.string().min(1) })

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: 7 * 24 * 3600 },
    pages: { signIn: '/signin' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials) {
          const c = ZCredentials.safeParse(credentials)
          if (!c.success) return null
          const user = await findUserByEmail(c.data.email)
          if (!user || !(await verifyPassword(user.passwordHash, c.data.password))) return null
          return { id: user.id, email: user.email, name: user.name }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.uid = user.id
        return token
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === 'string') (session.user as { id?: string }).id = token.uid
        return session
      },
    },
  }
}
