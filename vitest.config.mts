import { defineConfig } from 'vitest/config'
import path from 'node:path'

export default defineConfig({
  // server-only throws outside React's server bundles; tests are server code (lib/server-only-stub.ts).
  resolve: { alias: { '@': path.resolve(import.meta.dirname), 'server-only': path.resolve(import.meta.dirname, 'lib/server-only-stub.ts') } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{lib,workers,components,app,scripts}/**/*.test.ts'], exclude: ['**/*.integration.test.ts', '**/node_modules/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{lib,workers,app}/**/*.integration.test.ts'],
          // Real PostgreSQL and Redis: one file at a time, each in its own database and queue prefix.
          fileParallelism: false,
          globalSetup: ['./lib/testing/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
