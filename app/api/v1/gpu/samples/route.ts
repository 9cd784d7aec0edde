// POST /api/v1/gpu/samples — GPU utilization samples: JSON {"samples": [...]}, or the CSV output of
// nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (Content-Type text/csv, ?pool=<name>).
// An "ingest" key or an admin/engineer/finance session.
import { AppError, badRequest } from '@/lib/errors'
import { readJson, withOrg } from '@/lib/http/route'
import { readLimited } from '@/lib/http/body'
import { parseOrThrow } from '@/lib/validation'
import { ingestCsvSamples, ingestSamples } from '@/lib/gpu'
import { CsvHeaderError, parseNvidiaSmiCsv, parseUtcOffset } from '@/lib/gpu/nvidia-smi'
import { MAX_SAMPLES, ZSamplesEnvelope } from '@/lib/gpu/schema'
import * as api from '@/lib/gpu/api'

// The body is JSON or CSV (the declaration's raw body): read here, with the declared limit.
export const POST = withOrg(api.ingestSamples, async ({ req, org, query }) => {
  const ct = req.headers.get('content-type') ?? ''
  if (/^(text\/csv|text\/plain)\b/i.test(ct)) {
    if (query.pool === undefined) throw badRequest('Invalid query parameters', { errors: ['pool: is required with a CSV body (the pool the samples are of)'] })
    const offset = query.utc_offset === undefined ? 0 : parseUtcOffset(query.utc_offset)
    if (offset === null) throw badRequest('Invalid query parameters', { errors: ['utc_offset: must look like +02:00, -0530 or Z'] })
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await readLimited(req, api.SAMPLES_MAX_BYTES))
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
    return ingestCsvSamples(org.orgId, query.pool, parsed)
  }
  const body = parseOrThrow(ZSamplesEnvelope, await readJson(req, api.SAMPLES_MAX_BYTES), 'Invalid samples')
  return ingestSamples(org.orgId, body.samples)
})
