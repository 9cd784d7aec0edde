import { BlockList, isIP } from 'node:net'
import dns, { type LookupAddress, type LookupOptions } from 'node:dns'
import { env } from '@/lib/env'

// Webhooks must not become a way into Outlay's own network (SSRF): a URL that
// resolves to a loopback, private, shared, link-local (cloud metadata at
// 169.254.169.254), multicast or reserved address is refused when the channel
// is made, and every delivery resolves the name again and connects only to the
// address it checked (guardedLookup), so a name re-pointed after the check
// (DNS rebinding) is refused too. WEBHOOK_ALLOW_PRIVATE_TARGETS=true lifts
// this where receivers are local on purpose (tests, the demo).

// Two lists: a BlockList holding an IPv4 rule also matches IPv4 addresses against IPv6 rules such as
// ::ffff:0:0/96, so the IPv4 list answers for IPv4 and IPv4-mapped IPv6 addresses, the other for IPv6.
const blockedV4 = new BlockList()
const blockedV6 = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blockedV4.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blockedV6.addSubnet(net, prefix, 'ipv6')

/** Whether an IP address is one a webhook may not reach (anything that is not a public unicast address). */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip)
  if (family === 0) return true
  return family === 4 ? blockedV4.check(ip, 'ipv4') : blockedV6.check(ip, 'ipv6') || blockedV4.check(ip, 'ipv6')
}

export class UnsafeWebhookTarget extends Error {
  /** what: who must reach a public host (webhooks; the gateway's upstreams, lib/gateway, follow the same rule) */
  constructor(host: string, address: string, what = 'webhooks') {
    super(`${host} resolves to ${address}, a loopback, private, link-local or metadata address: ${what} must reach a public host`)
    this.name = 'UnsafeWebhookTarget'
  }
}

const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1')

/**
 * Why a webhook URL may not be used, or null when it may: its host (an
 * address, or every address its name resolves to) must be public.
 */
export async function webhookTargetProblem(url: string, allowPrivate = env().WEBHOOK_ALLOW_PRIVATE_TARGETS, what = 'webhooks'): Promise<string | null> {
  if (allowPrivate) return null
  const host = hostOf(new URL(url))
  if (isIP(host)) return isPrivateAddress(host) ? new UnsafeWebhookTarget(host, host, what).message : null
  let addresses: LookupAddress[]
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true })
  } catch (e) {
    return `${host} could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address))
  return bad ? new UnsafeWebhookTarget(host, bad.address, what).message : null
}

type TLookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/** A `lookup` for http(s).request that refuses private addresses: the connection goes only to an address checked here. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: TLookupCallback, what = 'webhooks'): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '')
    const bad = addresses.find((a) => isPrivateAddress(a.address))
    if (bad) return callback(new UnsafeWebhookTarget(hostname, bad.address, what), '')
    if (options.all) return callback(null, addresses)
    callback(null, addresses[0].address, addresses[0].family)
  })
}

/** Before connecting to a URL whose host is an address (no lookup happens for those). */
export function literalTargetProblem(url: URL, allowPrivate: boolean, what = 'webhooks'): UnsafeWebhookTarget | null {
  const host = hostOf(url)
  return !allowPrivate && isIP(host) && isPrivateAddress(host) ? new UnsafeWebhookTarget(host, host, what) : null
}
