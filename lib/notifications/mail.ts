import 'server-only'
import nodemailer from 'nodemailer'
import { env } from '@/lib/env'

// The one place that talks SMTP (SMTP_URL, SMTP_FROM): alert emails
// (lib/notifications/deliver.ts) and account emails (lib/auth/account-mail.ts).

export const smtpConfigured = (): boolean => !!env().SMTP_URL

export class MailNotConfigured extends Error {
  constructor() {
    super('email is not configured: set SMTP_URL')
  }
}

export type TMail = { to: string | string[]; subject: string; text: string; headers?: Record<string, string> }

/** Send one message; throws MailNotConfigured without SMTP_URL, else nodemailer's error (with responseCode when the server refused). */
export async function sendMail(m: TMail): Promise<void> {
  const url = env().SMTP_URL
  if (!url) throw new MailNotConfigured()
  const transport = nodemailer.createTransport(url)
  try {
    await transport.sendMail({ from: env().SMTP_FROM, to: m.to, subject: m.subject, text: m.text, headers: m.headers })
  } finally {
    transport.close()
  }
}

/** An absolute link into the app for an email: NEXTAUTH_URL (required in production), never the request's Host header. */
export function appLink(path: string): string {
  return `${(env().NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/$/, '')}${path}`
}
