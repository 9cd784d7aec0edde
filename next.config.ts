import type { NextConfig } from 'next'

const config: NextConfig = {
  // Server-only packages with native or worker code stay out of the bundle.
  serverExternalPackages: ['@node-rs/argon2', 'bullmq', 'ioredis', 'pg', '@prisma/adapter-pg'],
  poweredByHeader: false,
}

export default config
