import type { NextConfig } from 'next'

const config: NextConfig = {
  // Server-only packages with native, worker or run-time generated code stay out of the bundle.
  serverExternalPackages: ['@node-rs/argon2', 'bullmq', 'ioredis', 'pg', '@prisma/adapter-pg', 'protobufjs'],
  poweredByHeader: false,
}

export default config
