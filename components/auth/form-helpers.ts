// Shared by the account forms (client-side).

/** "field: reason" lines from the API (or a local zod parse) → a message per form field. */
export function fieldErrors<K extends string>(lines: string[] | undefined): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const l of lines ?? []) {
    const i = l.indexOf(': ')
    if (i < 0) continue
    const f = l.slice(0, i) as K
    out[f] ??= l.slice(i + 2)
  }
  return out
}

export type TPosted = {
  ok: boolean
  status: number
  data: { status?: string; error?: { code: string; message: string; details?: { errors?: string[]; retry_after_s?: number } } } & Record<string, unknown>
}

/** POST JSON; a network failure reads as a message, not an exception. */
export async function postJson(url: string, body?: unknown): Promise<TPosted> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const data = await res.json().catch(() => ({}))
    return { ok: res.ok, status: res.status, data }
  } catch {
    return { ok: false, status: 0, data: { error: { code: 'network', message: 'Could not reach Outlay. Check your connection and try again.' } } }
  }
}

/** "Try again in 2 minutes (at 14:05)." from a wait in seconds. */
export function retryMessage(seconds: number, what = 'attempts'): string {
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: seconds < 60 ? '2-digit' : undefined })
  const human = seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`
  return `Too many ${what}. Try again in ${human} (at ${at}).`
}
