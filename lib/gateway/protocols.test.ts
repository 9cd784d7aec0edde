import { describe, expect, it } from 'vitest'
import { attemptBody, canonicalJson, inputHash, outputText, providerError, requestInfo, SseSplitter, StreamReader } from '@/lib/gateway/protocols'

describe('requests', () => {
  it('reads the model, the output cap (max_completion_tokens before max_tokens) and the stream flag', () => {
    expect(requestInfo('openai-chat', { model: 'm', max_tokens: 10, max_completion_tokens: 20, stream: true })).toEqual({
      ok: true,
      info: { model: 'm', maxTokens: 20, stream: true },
    })
    expect(requestInfo('openai-responses', { model: 'm', max_output_tokens: 7 })).toEqual({ ok: true, info: { model: 'm', maxTokens: 7, stream: false } })
    expect(requestInfo('openai-embeddings', { model: 'e', input: 'x' })).toEqual({ ok: true, info: { model: 'e', maxTokens: null, stream: false } })
    expect(requestInfo('anthropic-messages', { max_tokens: 5 })).toEqual({ ok: false, message: 'model: is required (a string)' })
    expect(requestInfo('openai-chat', [1])).toEqual({ ok: false, message: 'The request body must be a JSON object' })
  })

  it('puts the plan’s model and cap in the field the request used, and asks a chat stream for usage', () => {
    expect(attemptBody('openai-chat', { model: 'a', max_tokens: 100 }, 'b', 50, false)).toEqual({ body: { model: 'b', max_tokens: 50 }, stripUsage: false })
    expect(attemptBody('anthropic-messages', { model: 'a', max_tokens: 100 }, 'b', 100, true)).toEqual({
      body: { model: 'b', max_tokens: 100 },
      stripUsage: false,
    })
    expect(attemptBody('openai-chat', { model: 'a', stream: true }, 'a', null, true)).toEqual({
      body: { model: 'a', stream: true, stream_options: { include_usage: true } },
      stripUsage: true,
    })
    expect(attemptBody('openai-chat', { model: 'a', stream: true, stream_options: { include_usage: true } }, 'a', null, true).stripUsage).toBe(false)
  })

  it('hashes the input whatever its key order, and apart from how the answer is delivered', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}')
    const a = inputHash('openai-chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0 })
    expect(
      inputHash('openai-chat', {
        temperature: 0,
        messages: [{ content: 'x', role: 'user' }],
        model: 'm',
        stream: true,
        stream_options: { include_usage: true },
      }),
    ).toBe(a)
    expect(inputHash('openai-chat', { model: 'm', messages: [{ role: 'user', content: 'y' }], temperature: 0 })).not.toBe(a)
    expect(inputHash('openai-responses', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0 })).not.toBe(a)
  })
})

describe('answers', () => {
  it('takes the output text of each API', () => {
    expect(outputText('openai-chat', { choices: [{ message: { content: 'hi', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] } }] })).toBe('hif({})')
    expect(
      outputText('openai-responses', {
        output: [
          {
            type: 'message',
            content: [
              { type: 'output_text', text: 'a' },
              { type: 'output_text', text: 'b' },
            ],
          },
        ],
      }),
    ).toBe('ab')
    expect(
      outputText('anthropic-messages', {
        content: [
          { type: 'text', text: 'x' },
          { type: 'tool_use', name: 't', input: { q: 1 } },
        ],
      }),
    ).toBe('xt({"q":1})')
    expect(outputText('openai-chat', { choices: [] })).toBeNull()
  })

  it('errors in each provider’s shape', () => {
    expect(providerError('openai', 401, 'no')).toEqual({ error: { message: 'no', type: 'invalid_request_error', code: 'invalid_api_key' } })
    expect(providerError('anthropic', 429, 'slow')).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow' } })
  })
})

describe('streams', () => {
  it('splits server-sent events across chunk boundaries, CRLF included', () => {
    const s = new SseSplitter()
    const enc = (x: string) => new TextEncoder().encode(x)
    expect(s.push(enc('event: a\ndata: {"x"'))).toEqual([])
    expect(s.push(enc(':1}\n\ndata: 2\r\n\r\ndata: 3'))).toEqual([
      { raw: 'event: a\ndata: {"x":1}\n\n', name: 'a', data: '{"x":1}' },
      { raw: 'data: 2\r\n\r\n', name: null, data: '2' },
    ])
    expect(s.rest()).toBe('data: 3')
  })

  it('measures an OpenAI chat stream and drops only the usage chunk the client did not ask for', () => {
    const r = new StreamReader('openai-chat', true)
    expect(r.event(null, JSON.stringify({ model: 'gpt-4o', choices: [{ delta: { content: 'He' } }], usage: null }))).toBe(false)
    expect(r.event(null, JSON.stringify({ choices: [{ delta: { content: 'llo' } }], usage: null }))).toBe(false)
    expect(
      r.event(null, JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } } })),
    ).toBe(true)
    expect(r.event(null, '[DONE]')).toBe(false)
    expect(r.model).toBe('gpt-4o')
    expect(r.output()).toBe('Hello')
    expect(r.usage()).toEqual({ tokens_in: 10, cached_tokens_in: 4, cache_write_tokens: 0, tokens_out: 2 })
  })

  it('merges Anthropic usage from message_start and message_delta', () => {
    const r = new StreamReader('anthropic-messages', false)
    r.event(
      'message_start',
      JSON.stringify({
        type: 'message_start',
        message: { model: 'claude-x', usage: { input_tokens: 5, cache_read_input_tokens: 10, cache_creation_input_tokens: 3, output_tokens: 1 } },
      }),
    )
    r.event('content_block_delta', JSON.stringify({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'ok' } }))
    r.event('message_delta', JSON.stringify({ type: 'message_delta', usage: { output_tokens: 42 } }))
    expect(r.usage()).toEqual({ tokens_in: 18, cached_tokens_in: 10, cache_write_tokens: 3, tokens_out: 42 })
    expect(r.model).toBe('claude-x')
    expect(r.output()).toBe('ok')
  })

  it('reads the Responses stream’s completed response', () => {
    const r = new StreamReader('openai-responses', false)
    r.event('response.output_text.delta', JSON.stringify({ type: 'response.output_text.delta', delta: 'a' }))
    r.event(
      'response.completed',
      JSON.stringify({
        type: 'response.completed',
        response: { model: 'gpt-4o', usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 1 }, output_tokens: 3 } },
      }),
    )
    expect(r.usage()).toEqual({ tokens_in: 9, cached_tokens_in: 1, cache_write_tokens: 0, tokens_out: 3 })
    expect(r.failed).toBe(false)
  })
})
