import type { NextConfig } from 'next'
import { apiHeaderRules } from './lib/http/security-headers'

const config: NextConfig = {
  // Server-only packages with native, worker or run-time generated code stay out of the bundle.
  serverExternalPackages: ['@node-rs/argon2', 'bullmq', 'ioredis', 'pg', '@prisma/adapter-pg', 'protobufjs'],
  poweredByHeader: false,
  // The security headers of API answers (lib/http/security-headers.ts); pages get theirs from proxy.ts.
  headers: async () => apiHeaderRules(),
  // Browsers still ask for /favicon.ico on a fresh page whatever the page's icon link says: answer it with the icon
  // rather than a 404 (which the pages' console-error checks caught in a clean-clone run).
  rewrites: async () => [{ source: '/favicon.ico', destination: '/favicon.svg' }],
  experimental: {
    // What Next.js buffers of a request body for proxy.ts. The proxy sees pages only, which take no body
    // (no server actions): a body posted to a page is cut here rather than held in memory up to 10 MB.
    proxyClientMaxBodySize: '64kb',
  },
}

export default config
