import { flushLeases } from '@/lib/budgets/ledger'
import { flushGatewayEvents } from '@/lib/gateway/recorder'

/**
 * Before the web process exits (server.ts, on SIGTERM/SIGINT, once the answers in flight are done): store the
 * gateway's buffered events and give back its budget leases with their settled spend. Failures are left to the
 * usual paths: events not stored are lost with the process (as on a crash), a lease not given back lapses after its
 * time-to-live, and its unflushed spend is counted by the next evaluation's re-base on the measured spend.
 */
export async function drainGateway(timeoutMs = 4_000): Promise<void> {
  await Promise.allSettled([flushGatewayEvents(timeoutMs), flushLeases(true)])
}
