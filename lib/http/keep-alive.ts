import type { Server } from 'node:http'

/** How long the web server keeps an idle keep-alive connection open. */
export const KEEP_ALIVE_MS = 65_000

/**
 * Keep idle keep-alive connections 65 s instead of Node.js's 5 s. A client sends its next call on an idle
 * connection; one the server is closing at that moment fails with ECONNRESET, and a client that keeps connections
 * longer than the server (a Node.js http.Agent keeps them until the server closes them) meets that race every time a
 * connection sits idle 5 s. Load balancers close theirs after 60 s: the server's timeout must outlast theirs. Node.js
 * requires the header timeout to exceed it.
 */
export function keepConnectionsAlive(server: Server): Server {
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.headersTimeout = KEEP_ALIVE_MS + 1_000
  return server
}
