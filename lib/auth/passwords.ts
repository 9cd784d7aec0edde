import 'server-only'
import { randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

// argon2id with the library's defaults (OWASP-level memory and time cost).
export const hashPassword = (password: string) => hash(password)
export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false)

let dummy: Promise<string> | undefined
/**
 * The same argon2 work as a real check, against a hash no password matches: a
 * sign-in for an unknown email takes as long as one for a known email.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hash(randomBytes(24).toString('base64'))
  await verifyPassword(await dummy, password)
  return false
}
