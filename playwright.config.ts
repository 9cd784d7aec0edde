import { defineConfig } from '@playwright/test'

const PORT = Number(process.env.E2E_PORT ?? 3100)
// `npm test` creates this database empty; a direct `npx playwright test` reuses it.
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/outlay_e2e'
process.env.E2E_DATABASE_URL = E2E_DATABASE_URL

// Debian's Chromium, never a downloaded browser; flags keep it off the network.
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--dns-prefetch-disable',
        '--disable-features=DnsOverHttps,AsyncDns,OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying',
      ],
    },
  },
  projects: [
    { name: 'setup', testMatch: /demo\.setup\.ts/ },
    { name: 'chromium', dependencies: ['setup'] },
  ],
  webServer: {
    command: 'bash scripts/e2e-server.sh',
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    // the server's and the worker's log lines (warnings and errors: scripts/e2e-server.sh sets LOG_LEVEL)
    stdout: 'pipe',
    stderr: 'pipe',
    env: { E2E_PORT: String(PORT), DATABASE_URL: E2E_DATABASE_URL },
  },
})
