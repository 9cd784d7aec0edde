// POST /api/v1/gpu/samples — GPU utilization samples: JSON {"samples": [...]}, or the CSV output of
// nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (Content-Type text/csv, ?pool=<name>).
// An "ingest" key or an admin/engineer/finance session.
import { AppError, badRequest } from '@/lib/errors'
import { json, readJson, withOrg } from '@/lib/http/route'
import { readLimited } from '@/lib/http/body'
import { parseOrThrow } from '@/lib/validation'
import { ingestCsvSamples, ingestSamples } from '@/lib/gpu'
import { CsvHeaderError, parseNvidiaSmiCsv, parseUtcOffset } from '@/lib/gpu/nvidia-smi'
import { MAX_SAMPLES, ZCsvQuery, ZSamplesEnvelope } from '@/lib/gpu/schema'

const MAX_BYTES = 4 * 1024 * 1024

export const POST = withOrg(
  async (req, { org }) => {
    const ct = req.headers.get('content-type') ?? ''
    if (/^(text\/csv|text\/plain)\b/i.test(ct)) {
      const raw = Object.fromEntries(new URL(req.url).searchParams)
      delete raw.org
      const q = parseOrThrow(ZCsvQuery, raw, 'Invalid query parameters')
      const offset = q.utc_offset === undefined ? 0 : parseUtcOffset(q.utc_offset)
      if (offset === null) throw badRequest('Invalid query parameters', { errors: ['utc_offset: must look like +02:00, -0530 or Z'] })
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await readLimited(req, MAX_BYTES))
      } catch (e) {
        if (e instanceof AppError) throw e
        throw badRequest('Body is not valid UTF-8')
      }
      let parsed
      try {
        parsed = parseNvidiaSmiCsv(text, { utcOffsetMinutes: offset, maxLines: MAX_SAMPLES * 10 })
      } catch (e) {
        if (e instanceof CsvHeaderError) throw badRequest('Invalid nvidia-smi CSV', { errors: [`csv: ${e.message}`] })
        throw e
      }
      return json(await ingestCsvSamples(org.orgId, q.pool, parsed))
    }
    const body = parseOrThrow(ZSamplesEnvelope, await readJson(req, MAX_BYTES), 'Invalid samples')
    return json(await ingestSamples(org.orgId, body.samples))
  },
  { scope: 'ingest', permission: 'fleet.write' },
)
