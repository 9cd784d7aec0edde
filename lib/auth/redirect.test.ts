import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { safeCallbackPath, safeRedirect } from '@/lib/auth/redirect'

describe('safeCallbackPath', () => {
  it('keeps same-origin relative paths with their query and fragment', () => {
    expect(safeCallbackPath('/acme/overview')).toBe('/acme/overview')
    expect(safeCallbackPath('/acme/accounts?range=7d&environment=prod#top')).toBe('/acme/accounts?range=7d&environment=prod#top')
    expect(safeCallbackPath('/')).toBe('/')
  })

  it.each([
    ['protocol-relative', '//evil.example/x'],
    ['backslash after the slash', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['absolute https', 'https://evil.example/'],
    ['absolute http', 'http://evil.example'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['no leading slash', 'evil.example'],
    ['tab hiding a second slash', '/\t/evil.example'],
    ['newline hiding a second slash', '/\n/evil.example'],
    ['CR', '/\r/evil.example'],
    ['empty', ''],
    ['a backslash later on', '/ok\\..\\x'],
  ])('refuses %s', (_name, raw) => {
    expect(safeCallbackPath(raw)).toBe('/')
  })

  it('refuses non-strings and absurd lengths', () => {
    expect(safeCallbackPath(null)).toBe('/')
    expect(safeCallbackPath(undefined)).toBe('/')
    expect(safeCallbackPath('/' + 'a'.repeat(3000))).toBe('/')
  })

  it('uses the fallback given', () => {
    expect(safeCallbackPath('//evil.example', '/home')).toBe('/home')
  })

  it('whatever the input, the answer resolves to this origin', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', '/', '//', '/\\', 'https://', '/%2F'), (tail, head) => {
        const out = safeCallbackPath(head + tail)
        expect(out.startsWith('/')).toBe(true)
        expect(new URL(out, 'https://app.example').origin).toBe('https://app.example')
      }),
      { numRuns: 2000 },
    )
  }, 30_000)
})

describe('safeRedirect (next-auth callback)', () => {
  const base = 'https://outlay.example.com'
  it('keeps safe paths and same-origin URLs', () => {
    expect(safeRedirect('/acme/overview', base)).toBe('https://outlay.example.com/acme/overview')
    expect(safeRedirect('https://outlay.example.com/signin?x=1', base)).toBe('https://outlay.example.com/signin?x=1')
  })
  it('sends everything else home', () => {
    expect(safeRedirect('https://evil.example/', base)).toBe(base)
    expect(safeRedirect('//evil.example', base)).toBe(base)
    expect(safeRedirect('/\\evil.example', base)).toBe(base)
    expect(safeRedirect('https://outlay.example.com.evil.example/', base)).toBe(base)
    expect(safeRedirect('http://outlay.example.com/', base)).toBe(base) // another scheme is another origin
    expect(safeRedirect('not a url', base)).toBe(base)
  })
})
