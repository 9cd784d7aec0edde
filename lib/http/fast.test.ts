import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { apiPathWithEmptySegment } from '@/lib/http/fast'

const req = (url: string) => ({ url }) as IncomingMessage

describe('apiPathWithEmptySegment', () => {
  it('catches an empty path parameter and a trailing slash under /api/', () => {
    expect(apiPathWithEmptySegment(req('/api/v1/policies//publish'))).toBe(true)
    expect(apiPathWithEmptySegment(req('/api/v1/scenarios/line-items/'))).toBe(true)
    expect(apiPathWithEmptySegment(req('/api/v1/metrics/?from=x'))).toBe(true)
    expect(apiPathWithEmptySegment(req('/api//v1/decide'))).toBe(true)
  })

  it('leaves well-formed API paths, query strings with slashes and pages alone', () => {
    expect(apiPathWithEmptySegment(req('/api/v1/policies/abc/publish'))).toBe(false)
    expect(apiPathWithEmptySegment(req('/api/v1/metrics?next=a//b/'))).toBe(false)
    expect(apiPathWithEmptySegment(req('/workflows/'))).toBe(false)
    expect(apiPathWithEmptySegment(req('/'))).toBe(false)
  })
})
