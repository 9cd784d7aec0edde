import 'server-only'
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import type { PoolClient } from 'pg'
import { AppError, badRequest, notFound } from '@/lib/errors'
import { inTransaction, pool } from '@/lib/db'
import { parseJsonBytes, readLimited } from '@/lib/http/body'
import { recordAudit } from '@/lib/audit'
import { microsToUsd } from '@/lib/domain'
import { BillFormatError, csvFormatOf, csvReader, jsonFormatOf, readJsonReport, type TLineResult } from '@/lib/bills/parse'
import { MAX_REJECTED_LISTED, type TBillFormat, type TBillImport, type TBillImportQuery, type TRejectedLine } from '@/lib/bills/schema'

// Importing a bill (POST /api/v1/bills): the file streams from the request through csv-parse (CSV) or is read
// whole up to its limit (JSON cost reports, a few megabytes per month), line by line into bill_lines, in one
// transaction that first removes the source's previous import: a re-import replaces it, a failed one changes nothing.

/** CSV bills stream: a FOCUS export of a month of a cloud account runs to hundreds of megabytes. */
export const BILL_CSV_MAX_BYTES = 1024 * 1024 * 1024
/** JSON cost reports are parsed whole (JSON.parse): bounded lower. */
export const BILL_JSON_MAX_BYTES = 64 * 1024 * 1024
/** csv-parse's limit on one record's characters (a FOCUS row with its Tags runs to a few kilobytes). */
const MAX_RECORD_CHARS = 1024 * 1024
/** Lines per INSERT. */
const CHUNK = 5000

const CSV_TYPE = /^(text\/csv|text\/plain)\b/i
const JSON_TYPE = /^application\/json\b/i

type TSource = { format: TBillFormat; lines: AsyncIterable<TLineResult> | Iterable<TLineResult> }

/** The request's body as bill lines, its format recognized (or as asked). Reads the JSON, or the CSV's first record. */
async function sourceOf(req: Request, asked: TBillFormat | undefined): Promise<TSource> {
  const ct = req.headers.get('content-type') ?? ''
  if (JSON_TYPE.test(ct)) {
    if (asked === 'simple' || asked === 'focus') throw badRequest(`format ${asked} is CSV: send it as text/csv`)
    const declared = Number(req.headers.get('content-length') ?? '0')
    if (declared > BILL_JSON_MAX_BYTES)
      throw new AppError('payload_too_large', 413, `Body is ${declared} bytes; a JSON bill's limit is ${BILL_JSON_MAX_BYTES} bytes`)
    const json = parseJsonBytes(await readLimited(req, BILL_JSON_MAX_BYTES))
    const format = asked ?? jsonFormatOf(json)
    return { format, lines: readJsonReport(format, json) }
  }
  if (CSV_TYPE.test(ct)) {
    if (asked === 'openai' || asked === 'anthropic') throw badRequest(`format ${asked} is JSON: send it as application/json`)
    return csvSource(req, asked)
  }
  throw new AppError('unsupported_media_type', 415, 'Content-Type must be text/csv (simple or FOCUS CSV) or application/json (OpenAI or Anthropic cost report)')
}

/** The body's chunks, 413 as soon as they pass the limit. */
async function* limited(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<Buffer> {
  const reader = body.getReader()
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      size += value.byteLength
      if (size > maxBytes) throw new AppError('payload_too_large', 413, `Body exceeds the limit of ${maxBytes} bytes`)
      yield Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

type TRecord = { record: string[]; info: { lines: number } }

async function csvSource(req: Request, asked: 'simple' | 'focus' | undefined): Promise<TSource> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS })
  const input = Readable.from(req.body ? limited(req.body, BILL_CSV_MAX_BYTES) : [], { objectMode: false })
  input.on('error', (e) => parser.destroy(e))
  input.pipe(parser)
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<TRecord>
  const head = await nextRecord(records)
  if (!head) throw badRequest('The file is empty')
  const first: TRecord = head
  const format = asked ?? csvFormatOf(first.record)
  let reader: ReturnType<typeof csvReader>
  try {
    reader = csvReader(format, first.record)
  } catch (e) {
    parser.destroy()
    input.destroy()
    throw e
  }
  const { read, firstIsHeader } = reader
  async function* lines(): AsyncGenerator<TLineResult> {
    try {
      if (!firstIsHeader) yield read(first.record, first.info.lines)
      for (;;) {
        const r = await nextRecord(records)
        if (!r) return
        yield read(r.record, r.info.lines)
      }
    } finally {
      // left early (an error, a failed INSERT): stop reading the request
      parser.destroy()
      input.destroy()
    }
  }
  return { format, lines: lines() }
}

/** The next CSV record; a CSV the parser cannot read (an unclosed quote) is a 400 saying where. */
async function nextRecord(records: AsyncIterator<TRecord>): Promise<TRecord | null> {
  try {
    const r = await records.next()
    return r.done ? null : r.value
  } catch (e) {
    if (e instanceof CsvError) throw badRequest(`Invalid CSV: ${e.message}`)
    throw e
  }
}

type TImportRow = {
  id: string
  source: string
  format: TBillFormat
  imported_at: Date
  lines: number
  rejected: number
  total_micros: string
  first_day: string | null
  last_day: string | null
}
const IMPORT_COLUMNS = `id::text, source, format, imported_at, lines, rejected, total_micros::text, first_day::text, last_day::text`
const viewOf = (r: TImportRow): TBillImport => ({
  id: r.id,
  source: r.source,
  format: r.format,
  imported_at: r.imported_at.toISOString(),
  lines: r.lines,
  rejected: r.rejected,
  total_usd: microsToUsd(BigInt(r.total_micros)),
  first_day: r.first_day,
  last_day: r.last_day,
})

async function insertLines(client: PoolClient, orgId: string, importId: string, lines: TLineResult[]): Promise<void> {
  const kept = lines.flatMap((l) => (l.ok ? [l.value] : []))
  if (!kept.length) return
  await client.query(
    `INSERT INTO bill_lines (org_id, import_id, line_no, day, provider, model, cost_micros, description)
     SELECT $1::uuid, $2::uuid, l, d, p, m, c, x FROM unnest($3::int[], $4::date[], $5::text[], $6::text[], $7::int8[], $8::text[]) AS t(l, d, p, m, c, x)`,
    [
      orgId,
      importId,
      kept.map((l) => l.line),
      kept.map((l) => l.day),
      kept.map((l) => l.provider),
      kept.map((l) => l.model),
      kept.map((l) => l.costMicros.toString()),
      kept.map((l) => l.description),
    ],
  )
}

/** Import a bill from the request's body; replaces the source's previous import. */
export async function importBill(
  orgId: string,
  query: TBillImportQuery,
  req: Request,
): Promise<{ import: TBillImport; replaced: boolean; rejected: TRejectedLine[] }> {
  let src: TSource
  try {
    src = await sourceOf(req, query.format)
  } catch (e) {
    if (e instanceof BillFormatError) throw badRequest(`Not a ${query.format ?? 'recognized'} bill: ${e.message}`)
    throw e
  }
  return inTransaction(async (client) => {
    // one import of a source at a time: the second waits, then replaces the first
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('outlay.bills:' || $1::text || ':' || $2::text, 0))`, [orgId, query.source])
    const old = await client.query<TImportRow>(`DELETE FROM bill_imports WHERE org_id = $1 AND source = $2 RETURNING ${IMPORT_COLUMNS}`, [orgId, query.source])
    const id = randomUUID()
    await client.query(`INSERT INTO bill_imports (id, org_id, source, format, lines, total_micros, rejected) VALUES ($1, $2, $3, $4, 0, 0, 0)`, [
      id,
      orgId,
      query.source,
      src.format,
    ])
    const rejected: TRejectedLine[] = []
    let rejectedCount = 0
    let kept = 0
    let total = 0n
    let first: string | null = null
    let last: string | null = null
    let chunk: TLineResult[] = []
    for await (const l of src.lines) {
      if (l.ok) {
        kept++
        total += l.value.costMicros
        if (first === null || l.value.day < first) first = l.value.day
        if (last === null || l.value.day > last) last = l.value.day
        chunk.push(l)
        if (chunk.length >= CHUNK) {
          await insertLines(client, orgId, id, chunk)
          chunk = []
        }
      } else {
        rejectedCount++
        if (rejected.length < MAX_REJECTED_LISTED) rejected.push(l.rejected)
      }
    }
    await insertLines(client, orgId, id, chunk)
    // A file with nothing usable does not replace what was there (the transaction rolls back).
    if (kept === 0)
      throw badRequest(rejectedCount ? `No line of the bill could be read (${rejectedCount} refused)` : 'The file holds no bill lines', {
        errors: rejected.map((r) => `line ${r.line}: ${r.reason}`),
      })
    const row = (
      await client.query<TImportRow>(
        `UPDATE bill_imports SET lines = $3, total_micros = $4, rejected = $5, first_day = $6, last_day = $7 WHERE org_id = $1 AND id = $2 RETURNING ${IMPORT_COLUMNS}`,
        [orgId, id, kept, total.toString(), rejectedCount, first, last],
      )
    ).rows[0]
    const view = viewOf(row)
    await recordAudit(client, orgId, {
      action: 'bill.import',
      target: { type: 'bill_import', id },
      before: old.rows[0] ? viewOf(old.rows[0]) : null,
      after: view,
    })
    return { import: view, replaced: old.rows.length > 0, rejected }
  })
}

export async function listBillImports(orgId: string): Promise<TBillImport[]> {
  const r = await pool().query<TImportRow>(`SELECT ${IMPORT_COLUMNS} FROM bill_imports WHERE org_id = $1 ORDER BY imported_at DESC, source`, [orgId])
  return r.rows.map(viewOf)
}

export async function deleteBillImport(orgId: string, id: string): Promise<void> {
  await inTransaction(async (client) => {
    const r = await client.query<TImportRow>(`DELETE FROM bill_imports WHERE org_id = $1 AND id = $2 RETURNING ${IMPORT_COLUMNS}`, [orgId, id])
    if (!r.rows[0]) throw notFound('No such bill import')
    await recordAudit(client, orgId, { action: 'bill.delete', target: { type: 'bill_import', id }, before: viewOf(r.rows[0]), after: null })
  })
}
