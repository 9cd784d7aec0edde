import { describe, expect, it } from 'vitest'
import { isPrivateAddress, literalTargetProblem } from './ssrf'

describe('isPrivateAddress', () => {
  it('refuses loopback, private, shared, link-local (metadata), multicast and reserved addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.5',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'ff02::1',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true)
    }
  })
  it('lets public unicast addresses through', () => {
    for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect(isPrivateAddress(ip), ip).toBe(false)
    }
  })
})

describe('literalTargetProblem', () => {
  it('checks URLs whose host is an address (no DNS lookup happens for them), IPv6 in brackets included', () => {
    expect(literalTargetProblem(new URL('http://169.254.169.254/latest/meta-data/'), false)?.message).toBe(
      '169.254.169.254 resolves to 169.254.169.254, a loopback, private, link-local or metadata address: webhooks must reach a public host',
    )
    expect(literalTargetProblem(new URL('http://[::1]:8080/x'), false)).not.toBeNull()
    expect(literalTargetProblem(new URL('http://[::1]:8080/x'), true)).toBeNull()
    expect(literalTargetProblem(new URL('https://93.184.216.34/hook'), false)).toBeNull()
    expect(literalTargetProblem(new URL('https://hooks.example.com/hook'), false)).toBeNull()
  })
})
