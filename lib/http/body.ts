import { gunzip } from 'node:zlib'
import { AppError, badRequest, payloadTooLarge } from '@/lib/errors'

// Reading request bodies safely: a byte limit enforced while streaming, gzip
// decoded within the same limit, and JSON decoding with specific errors.
// Shared by every entry point that takes a body.

export type TBodyEncoding = 'gzip' | null

/** A body's Content-Encoding: none (or identity), or gzip; 415 naming the header for anything else. */
export function bodyEncoding(contentEncoding: string | null | undefined): TBodyEncoding {
  const ce = (contentEncoding ?? '').trim().toLowerCase()
  if (ce === '' || ce === 'identity') return null
  if (ce === 'gzip' || ce === 'x-gzip') return 'gzip'
  throw new AppError('unsupported_media_type', 415, `Content-Encoding "${contentEncoding}" is not supported: send gzip or no Content-Encoding`)
}

/** The compressed bytes read at most for a body whose limit (decompressed) is maxBytes: gzip adds a few bytes per 64 KiB block to incompressible data. */
export const compressedLimit = (maxBytes: number) => maxBytes + 16 * 1024

/** A gzip body decompressed, at most maxBytes of it: 413 beyond (without inflating the rest), 400 when it is not gzip. */
export function gunzipLimited(raw: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    gunzip(raw, { maxOutputLength: maxBytes }, (e, out) => {
      if (!e) return resolve(out)
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
        return reject(payloadTooLarge(`Body exceeds the limit of ${maxBytes} bytes once decompressed`))
      reject(badRequest(`Body is not valid gzip (Content-Encoding: gzip): ${e.message}`))
    }),
  )
}

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
