import { z } from 'zod'
import { ZRole } from '@/lib/members/schema'

// Allowed email domains for single sign-on (PUT/GET /api/v1/sso/domains).

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
/** A DNS name of two or more labels, lower-cased ("Example.COM" → "example.com"); no scheme, "@" or wildcard. */
export const ZDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, 'must be at most 253 characters')
  .refine((d) => {
    const l = d.split('.')
    return l.length >= 2 && l.every((x) => LABEL.test(x)) && /[a-z]/.test(l[l.length - 1])
  }, 'must be a domain name such as example.com')

export const MAX_SSO_DOMAINS = 50
export const ZSsoDomain = z.strictObject({ domain: ZDomain, role: ZRole })
export type TSsoDomain = z.infer<typeof ZSsoDomain>

/** The organization's whole list, replacing the previous one. */
export const ZPutSsoDomains = z.strictObject({
  domains: z
    .array(ZSsoDomain)
    .max(MAX_SSO_DOMAINS, `must hold at most ${MAX_SSO_DOMAINS} domains`)
    .refine((ds) => new Set(ds.map((d) => d.domain)).size === ds.length, 'must not list a domain twice'),
})
export type TPutSsoDomains = z.infer<typeof ZPutSsoDomains>

export const ZSsoDomainsView = z.object({ domains: z.array(ZSsoDomain), sso_configured: z.boolean() })
export type TSsoDomainsView = z.infer<typeof ZSsoDomainsView>
