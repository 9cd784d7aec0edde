import { AppError, badRequest } from '@/lib/errors'

// Reading request bodies safely: a byte limit enforced while streaming, and
// JSON decoding with specific errors. Shared by every entry point that takes a body.

/** The body's bytes; 413 as soon as it passes maxBytes (without reading the rest). */
export async function readLimited(req: Request, maxBytes: number, limitForMessage = maxBytes): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array()
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new AppError('payload_too_large', 413, `Body exceeds the limit of ${limitForMessage} bytes`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
}

// One decoder for every body: decode() without { stream: true } keeps no state between calls.
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 JSON, with a specific error for bad encoding and bad syntax. */
export function parseJsonBytes(buf: Uint8Array): unknown {
  let text: string
  try {
    text = UTF8.decode(buf)
  } catch {
    throw badRequest('Body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw badRequest(`Body is not valid JSON: ${(e as Error).message}`)
  }
}
