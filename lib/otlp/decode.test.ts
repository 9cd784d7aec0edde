import { describe, expect, it } from 'vitest'
import { AppError } from '@/lib/errors'
import { decodeTraceRequest, fromAnyValue } from '@/lib/otlp/decode'
import { jsExporterPayload } from '@/lib/otlp/fixtures'

function badRequestOf(body: unknown): { message: string; errors?: string[] } {
  try {
    decodeTraceRequest(body)
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    const err = e as AppError
    expect(err.httpStatus).toBe(400)
    return { message: err.message, errors: (err.details as { errors?: string[] } | undefined)?.errors }
  }
  throw new Error('expected a 400')
}

const withAttributes = (attributes: unknown) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 's', attributes }] }] }],
})

describe('fromAnyValue', () => {
  it.each([
    [{ stringValue: 'gpt-4o' }, 'gpt-4o'],
    [{ stringValue: '' }, ''],
    [{ boolValue: false }, false],
    [{ intValue: 1200 }, 1200],
    [{ intValue: '1200' }, 1200],
    [{ intValue: '-3' }, -3],
    [{ intValue: 0 }, 0],
    // beyond 2^53 a number would be silently wrong: kept as its digits
    [{ intValue: '9223372036854775807' }, '9223372036854775807'],
    [{ doubleValue: 0.25 }, 0.25],
    [{ doubleValue: '0.25' }, 0.25],
    [{ doubleValue: 3 }, 3],
    [{ bytesValue: 'aGVsbG8=' }, 'aGVsbG8='],
    [{ arrayValue: { values: [{ stringValue: 'stop' }, { intValue: '2' }] } }, ['stop', 2]],
    [{ arrayValue: {} }, []],
    [
      {
        kvlistValue: {
          values: [
            { key: 'role', value: { stringValue: 'user' } },
            { key: 'n', value: { intValue: 1 } },
          ],
        },
      },
      { role: 'user', n: 1 },
    ],
    [{}, null],
    [null, null],
  ])('%j → %j', (v, expected) => {
    expect(fromAnyValue(v as never)).toEqual(expected)
  })
})

describe('decodeTraceRequest', () => {
  it('lists every span with its resource, flattened attributes, times and status', () => {
    const spans = decodeTraceRequest(jsExporterPayload(1_764_072_000_000))
    expect(spans).toHaveLength(2)
    expect(spans[0]).toMatchObject({
      traceId: '5B8EFFF798038103D269B633813FC60C',
      spanId: 'EEE19B7EC3C1B174',
      name: 'chat gpt-4o-mini',
      startTimeUnixNano: 1_764_072_000_000_000_000n,
      endTimeUnixNano: 1_764_072_001_234_000_000n,
      statusCode: 0,
      resource: expect.objectContaining({ 'service.name': 'support-api' }),
      attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.request.temperature': 0.2, 'gen_ai.response.finish_reasons': ['stop'] }),
    })
  })

  it('accepts an empty request, as OTLP does', () => {
    expect(decodeTraceRequest({})).toEqual([])
    expect(decodeTraceRequest({ resourceSpans: [] })).toEqual([])
    expect(decodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans: [] }] }] })).toEqual([])
  })

  it('ignores unknown fields, reads nulls as absent and the pre-1.0 instrumentationLibrarySpans', () => {
    const spans = decodeTraceRequest({
      resourceSpans: [
        {
          resource: null,
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
          instrumentationLibrarySpans: [
            { instrumentationLibrary: { name: 'old' }, spans: [{ traceId: 'a', spanId: 'b', name: 'x', futureField: { deep: 1 }, status: null }] },
          ],
        },
      ],
    })
    expect(spans).toEqual([expect.objectContaining({ name: 'x', statusCode: 0, resource: {}, attributes: {}, startTimeUnixNano: null })])
  })

  it.each([
    [2, 2],
    ['2', 2],
    ['STATUS_CODE_ERROR', 2],
    ['STATUS_CODE_OK', 1],
    ['SOMETHING_NEW', 0],
  ])('reads status code %j as %d', (code, expected) => {
    const spans = decodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a', spanId: 'b', status: { code } }] }] }] })
    expect(spans[0].statusCode).toBe(expected)
  })

  it('reads times sent as JSON numbers', () => {
    const spans = decodeTraceRequest({
      resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 1764072000000000000, endTimeUnixNano: '1764072000500000000' }] }] }],
    })
    expect(spans[0].endTimeUnixNano! - spans[0].startTimeUnixNano!).toBe(500_000_000n)
  })

  it('keeps the last value of a repeated key and never lets "__proto__" reach the prototype', () => {
    const spans = decodeTraceRequest(
      withAttributes([
        { key: 'gen_ai.system', value: { stringValue: 'a' } },
        { key: 'gen_ai.system', value: { stringValue: 'b' } },
        { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
      ]),
    )
    expect(spans[0].attributes).toEqual({ 'gen_ai.system': 'b' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ['a body that is not an object', [], [expect.stringMatching(/^\(body\): must be a JSON object/)]],
    ['resourceSpans that is not an array', { resourceSpans: {} }, ['resourceSpans: must be an array']],
    ['spans that is not an array', { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }, ['resourceSpans.0.scopeSpans.0.spans: must be an array of spans']],
    [
      'a value that is not an AnyValue',
      withAttributes([{ key: 'k', value: 'plain' }]),
      [expect.stringMatching(/^resourceSpans\.0\.scopeSpans\.0\.spans\.0\.attributes\.0\.value: must be an AnyValue object/)],
    ],
    ['an attribute without a key', withAttributes([{ value: { stringValue: 'v' } }]), ['resourceSpans.0.scopeSpans.0.spans.0.attributes.0.key: is required']],
    [
      'an intValue that is not an integer',
      withAttributes([{ key: 'k', value: { intValue: '12abc' } }]),
      [expect.stringMatching(/attributes\.0\.value\.intValue: must be an integer or a string of digits$/)],
    ],
    [
      'a time that is not a number',
      { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 'yesterday' }] }] }] },
      [expect.stringMatching(/startTimeUnixNano: must be a non-negative integer or a string of digits$/)],
    ],
  ])('rejects %s with a 400 naming the field', (_name, body, errors) => {
    const r = badRequestOf(body)
    expect(r.message).toBe('Invalid OTLP trace request')
    expect(r.errors).toEqual(errors)
  })

  it('rejects absurdly deep nesting with a 400 instead of exhausting the stack', () => {
    let v: unknown = { stringValue: 'leaf' }
    for (let i = 0; i < 5000; i++) v = { arrayValue: { values: [v] } }
    expect(badRequestOf(withAttributes([{ key: 'k', value: v }])).message).toMatch(/nested more than 64 levels/)
  })
})

// A run of digits that does not make a number: answered after linear work (the old \d+\.?\d* split each run
// two ways and took seconds at 200k digits; yielding to timers lets vitest's timeout catch a slow pattern).
describe('decodeTraceRequest on hostile numbers', () => {
  it('refuses a long run of digits as a double at once', async () => {
    for (const bad of ['1'.repeat(200_000) + 'x', '+' + '9'.repeat(200_000) + 'e']) {
      const r = badRequestOf({
        resourceSpans: [
          {
            scopeSpans: [{ spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's', attributes: [{ key: 'k', value: { doubleValue: bad } }] }] }],
          },
        ],
      })
      expect(r.errors).toEqual([expect.stringMatching(/^resourceSpans\.0\.scopeSpans\.0\.spans\.0\.attributes\.0\.value\.doubleValue: /)])
      await new Promise((done) => setTimeout(done, 0))
    }
    const ok = decodeTraceRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'a'.repeat(32),
                  spanId: 'b'.repeat(16),
                  name: 's',
                  attributes: [
                    { key: 'k', value: { doubleValue: '12.' } },
                    { key: 'j', value: { doubleValue: '-.5e3' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    })
    expect(ok[0].attributes).toMatchObject({ k: 12, j: -500 })
  })
})
