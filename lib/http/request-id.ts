// A request id per HTTP request: the caller's x-request-id when it is a sane token (so a trace can follow a
// call from the customer's service or a proxy in front of us into our logs), else a new UUID. It goes back on
// the answer as x-request-id and onto every log line of the request as request_id (lib/log.ts). server.ts
// sets it for every request it serves (both fast paths and Next.js), proxy.ts for pages under `next dev`,
// withOrg for API routes however they are served (lib/http/with-request-id.ts). No imports: proxy.ts loads it.

export const REQUEST_ID_HEADER = 'x-request-id'

// Letters, digits and the punctuation of UUIDs, ULIDs, trace ids and base64: nothing a log line or a header
// could be broken with (no spaces, quotes, commas or control characters), at most 128 characters.
const SANE = /^[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}$/

/** The caller's request id if it is sane, else null. A header sent twice (a list, or "a, b") is not. */
export function saneRequestId(value: string | readonly string[] | null | undefined): string | null {
  return typeof value === 'string' && SANE.test(value) ? value : null
}

/** The request's id: the caller's when sane, else a new one. */
export function requestIdFrom(value: string | readonly string[] | null | undefined): string {
  return saneRequestId(value) ?? crypto.randomUUID()
}
