import { REQUEST_ID_HEADER, requestIdFrom } from '@/lib/http/request-id'
import { withLogContext } from '@/lib/log'

/**
 * A route handler whose answer carries x-request-id and whose log lines carry request_id. The id is the
 * request's x-request-id when sane (server.ts has already put a sane one there), else a new one.
 */
export function withRequestId<A extends unknown[]>(handler: (req: Request, ...rest: A) => Promise<Response>): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    const id = requestIdFrom(req.headers.get(REQUEST_ID_HEADER))
    const res = await withLogContext({ request_id: id }, () => handler(req, ...rest))
    try {
      res.headers.set(REQUEST_ID_HEADER, id)
      return res
    } catch {
      // an answer with immutable headers (Response.redirect, a fetched Response): a copy that can carry it
      const headers = new Headers(res.headers)
      headers.set(REQUEST_ID_HEADER, id)
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
    }
  }
}
