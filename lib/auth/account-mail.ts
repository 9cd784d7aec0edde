import 'server-only'
import { appLink, sendMail } from '@/lib/notifications/mail'
import { log } from '@/lib/log'

// The emails of the account flows. Sent in the background (see send below):
// an answer that waited for SMTP only when the email has an account would tell
// by its timing which emails do.

const pending = new Set<Promise<void>>()

function send(to: string, subject: string, text: string): void {
  const p: Promise<void> = sendMail({ to, subject, text })
    .catch((err) => log({ component: 'auth', subject }).error({ err }, 'could not send an account email'))
    .finally(() => pending.delete(p))
  pending.add(p)
}

/** Work that may or may not send a mail, run after the answer; errors are logged. */
export function inBackground(work: () => Promise<void>): void {
  const p: Promise<void> = work()
    .catch((err) => log({ component: 'auth' }).error({ err }, 'background account work failed'))
    .finally(() => pending.delete(p))
  pending.add(p)
}

/** Wait for every account email and background step started so far (tests; a clean shutdown). */
export async function settleAccountMail(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending])
}

export function sendVerificationMail(to: string, token: string): void {
  send(
    to,
    '[Outlay] Verify your email',
    [
      'Welcome to Outlay.',
      '',
      'Confirm this address to start using your account:',
      appLink(`/verify-email?token=${token}`),
      '',
      'The link works once, for 24 hours. If you did not create an Outlay account, ignore this email.',
      '',
    ].join('\n'),
  )
}

export function sendAlreadyRegisteredMail(to: string): void {
  send(
    to,
    '[Outlay] Someone tried to sign up with your email',
    [
      'Someone (maybe you) tried to create an Outlay account with this address, which already has one.',
      '',
      `Sign in: ${appLink('/signin')}`,
      `Forgot your password? ${appLink('/forgot-password')}`,
      '',
      'If it was not you, you can ignore this email: nothing changed.',
      '',
    ].join('\n'),
  )
}

export function sendPasswordResetMail(to: string, token: string): void {
  send(
    to,
    '[Outlay] Reset your password',
    [
      'Someone (hopefully you) asked to reset the password of your Outlay account.',
      '',
      'Choose a new password here:',
      appLink(`/reset-password?token=${token}`),
      '',
      'The link works once, for 1 hour, and signs you out everywhere. If you did not ask, ignore this email: your password stays as it is.',
      '',
    ].join('\n'),
  )
}
