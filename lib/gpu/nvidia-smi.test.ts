import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CsvHeaderError, MAX_COLUMNS, MAX_LINE_CHARS, parseNvidiaSmiCsv, parseUtcOffset, sampleOfCells } from '@/lib/gpu/nvidia-smi'

const HEADER = 'timestamp, index, utilization.gpu [%], memory.used [MiB]'

describe('parseNvidiaSmiCsv', () => {
  it('reads nvidia-smi output as printed', () => {
    const r = parseNvidiaSmiCsv(`${HEADER}\n2026/11/20 10:00:00.123, 0, 87 %, 40536 MiB\r\n2026/11/20 10:00:00.125, 1, 3 %, 512 MiB\n\n`)
    expect(r.rejected).toEqual([])
    expect(r.samples).toEqual([
      { line: 2, timestamp: new Date('2026-11-20T10:00:00.123Z'), gpu_index: 0, utilization_pct: 87, memory_used_mib: 40536 },
      { line: 3, timestamp: new Date('2026-11-20T10:00:00.125Z'), gpu_index: 1, utilization_pct: 3, memory_used_mib: 512 },
    ])
  })
  it('takes the columns in the header order and applies a UTC offset', () => {
    const r = parseNvidiaSmiCsv('index, memory.used [MiB], timestamp, utilization.gpu [%]\n2, 100 MiB, 2026/11/20 12:00:00.000, 50 %', {
      utcOffsetMinutes: 120,
    })
    expect(r.samples[0]).toMatchObject({ gpu_index: 2, memory_used_mib: 100, utilization_pct: 50, timestamp: new Date('2026-11-20T10:00:00.000Z') })
  })
  it('reports each bad line with its number and reason, and keeps the good ones', () => {
    const r = parseNvidiaSmiCsv(
      [
        HEADER,
        '2026/11/20 10:00:00.000, 0, 50 %, 100 MiB',
        '2026/13/45 10:00:00.000, 0, 50 %, 100 MiB',
        '2026/11/20 10:00:00.000, gpu0, 50 %, 100 MiB',
        '2026/11/20 10:00:00.000, 0, 150 %, 100 MiB',
        '2026/11/20 10:00:00.000, 0, [N/A], 100 MiB',
        '2026/11/20 10:00:00.000, 0, busy, 100 MiB',
        '2026/11/20 10:00:00.000, 0, 50 %',
        '2026/11/20 10:00:00.000, 3, 50 %, [N/A]',
        '2026/11/20 10:00:00.000, 4, 50 %, lots',
      ].join('\n'),
    )
    expect(r.samples.map((s) => [s.line, s.gpu_index, s.memory_used_mib])).toEqual([
      [2, 0, 100],
      [9, 3, null],
    ])
    expect(r.rejected).toEqual([
      { line: 3, errors: ['timestamp: "2026/13/45 10:00:00.000" is not a date-time like 2026/11/20 10:00:00.123'] },
      { line: 4, errors: ['index: "gpu0" is not a GPU index (0, 1, …)'] },
      { line: 5, errors: ['utilization.gpu: 150 % is above 100 %'] },
      { line: 6, errors: ['utilization.gpu: not available ([N/A])'] },
      { line: 7, errors: ['utilization.gpu: "busy" is not a number of %'] },
      { line: 8, errors: ['expected 4 comma-separated values, found 3'] },
      { line: 10, errors: ['memory.used: "lots" is not a number of MiB'] },
    ])
  })
  it('refuses a file without the header or with missing columns', () => {
    expect(() => parseNvidiaSmiCsv('')).toThrow(CsvHeaderError)
    expect(() => parseNvidiaSmiCsv('2026/11/20 10:00:00.000, 0, 50 %, 100 MiB')).toThrow(/the header lacks timestamp, index, utilization.gpu, memory.used/)
    expect(() => parseNvidiaSmiCsv('timestamp, index, utilization.gpu [%]\n')).toThrow(/lacks memory.used/)
    expect(() => parseNvidiaSmiCsv(`${HEADER}\n1\n2\n3`, { maxLines: 2 })).toThrow(/at most 2 per upload/)
  })
})

describe('parseUtcOffset', () => {
  it('reads offsets', () => {
    expect(parseUtcOffset('Z')).toBe(0)
    expect(parseUtcOffset('+02:00')).toBe(120)
    expect(parseUtcOffset('-0530')).toBe(-330)
    expect(parseUtcOffset('2')).toBeNull()
    expect(parseUtcOffset('+25:00')).toBeNull()
  })
})

// The route reads up to 4 MiB from any ingest key: whatever the text, the parser answers (a result or a
// CsvHeaderError naming the line and the limit) after linear work. These time nothing: a quadratic step
// (the old /\s*\[.*\]$/ over a header of spaces took 22 s at 160k characters) would blow vitest's timeout.
const yieldToTimers = () => new Promise((r) => setTimeout(r, 0))

describe('parseNvidiaSmiCsv on hostile input', () => {
  const MiB4 = 4 * 1024 * 1024
  const SAMPLE = '2026/11/20 10:00:00.000, 0, 50 %, 100 MiB'

  it('refuses a 4 MiB header of spaces, naming the line and the limit', () => {
    expect(() => parseNvidiaSmiCsv(`${' '.repeat(MiB4 - SAMPLE.length - 1)}x\n${SAMPLE}`)).toThrow(
      new CsvHeaderError(`Line 1 is ${MiB4 - SAMPLE.length} characters long; at most ${MAX_LINE_CHARS} per line`),
    )
    expect(() => parseNvidiaSmiCsv(`\n\ntimestamp${' '.repeat(MiB4 - 100)}[x]\n${SAMPLE}`)).toThrow(/^Line 3 is \d+ characters long; at most 4096 per line$/)
    expect(() => parseNvidiaSmiCsv(' '.repeat(MiB4))).toThrow(`Line 1 is ${MiB4} characters long; at most 4096 per line`)
  })

  it('refuses a header of too many columns', () => {
    expect(() => parseNvidiaSmiCsv(`${'x,'.repeat(100)}x\n${SAMPLE}`)).toThrow(new CsvHeaderError(`Line 1: the header has 101 columns; at most ${MAX_COLUMNS}`))
  })

  it('rejects an over-long data line by its number and keeps the good ones', () => {
    const r = parseNvidiaSmiCsv([HEADER, SAMPLE, `${SAMPLE}${' '.repeat(MAX_LINE_CHARS)}`, ','.repeat(MiB4 / 2), SAMPLE].join('\n'))
    expect(r.samples.map((s) => s.line)).toEqual([2, 5])
    expect(r.rejected).toEqual([
      { line: 3, errors: [`Line 3 is ${SAMPLE.length + MAX_LINE_CHARS} characters long; at most 4096 per line`] },
      { line: 4, errors: [`Line 4 is ${MiB4 / 2} characters long; at most 4096 per line`] },
    ])
  })

  // Long runs of the characters that make parsers and regexes backtrack, in any order, up to the route's limit.
  const RUNS = [' ', '\t', '[', ']', '"', ',', '\n', '\r', '\r\n', 'x', '0', ' [', '] ', '%', 'MiB', HEADER, SAMPLE, 'timestamp ']
  const hostile = fc
    .array(fc.record({ chunk: fc.constantFrom(...RUNS), times: fc.integer({ min: 1, max: 100_000 }) }), { minLength: 1, maxLength: 12 })
    .map((runs) =>
      runs
        .map((r) => r.chunk.repeat(r.times))
        .join('')
        .slice(0, MiB4),
    )

  it('answers any text up to 4 MiB with a result or a header error', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const lines = text.split('\n').length
        try {
          const r = parseNvidiaSmiCsv(text, { maxLines: 100_000 })
          for (const x of [...r.samples, ...r.rejected]) {
            expect(x.line).toBeGreaterThan(0)
            expect(x.line).toBeLessThanOrEqual(lines)
          }
        } catch (e) {
          expect(e).toBeInstanceOf(CsvHeaderError)
        }
        await yieldToTimers() // lets vitest's timeout fire between runs: a slow parser fails the test instead of hanging it
      }),
      { numRuns: 30 },
    )
  })

  // Short texts of nvidia-smi's own pieces: the answers (and errors) are the line-splitting parser's of before.
  it('answers short input exactly as the parser it replaced', () => {
    const cell = fc.constantFrom(
      'timestamp',
      ' index',
      'utilization.gpu [%]',
      ' memory.used [MiB] ',
      'memory.used  [a] [b]',
      'index [',
      'x]',
      '2026/11/20 10:00:00.000',
      ' 0',
      '3 ',
      '50 %',
      '[N/A]',
      '100 MiB',
      '',
      ' ',
      '\r',
      '"q"',
    )
    const line = fc.array(cell, { minLength: 1, maxLength: 5 }).map((c) => c.join(','))
    const text = fc
      .tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([ls, nl, bom]) => (bom ? '\uFEFF' : '') + [HEADER, ...ls].join(nl))
    const text2 = fc.array(line, { maxLength: 6 }).map((ls) => ls.join('\n'))
    const answer = (f: typeof parseNvidiaSmiCsv, t: string) => {
      try {
        return f(t)
      } catch (e) {
        return { error: (e as Error).message }
      }
    }
    fc.assert(
      fc.property(fc.oneof(text, text2), (t) => {
        expect(answer(parseNvidiaSmiCsv, t)).toEqual(answer(referenceParse, t))
      }),
      { numRuns: 500 },
    )
  })
})

// The splitting of the parser before csv-parse, as it was (quadratic on long headers; fine on these short ones);
// each line's cells are then read by the same sampleOfCells, so this compares the splitting and the header.
function referenceParse(text: string, opts: { utcOffsetMinutes?: number; maxLines?: number } = {}): ReturnType<typeof parseNvidiaSmiCsv> {
  const offset = opts.utcOffsetMinutes ?? 0
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = lines.findIndex((l) => l.trim() !== '')
  if (headerAt < 0)
    throw new CsvHeaderError('The file is empty: expected the header "timestamp, index, utilization.gpu [%], memory.used [MiB]" and one line per sample')
  const header = lines[headerAt].split(',').map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/\s*\[.*\]$/, ''),
  )
  const col = (name: string) => header.indexOf(name)
  const at = { timestamp: col('timestamp'), index: col('index'), util: col('utilization.gpu'), mem: col('memory.used') }
  const missing = (['timestamp', 'index', 'utilization.gpu', 'memory.used'] as const).filter((_, k) => Object.values(at)[k] < 0)
  if (missing.length) {
    throw new CsvHeaderError(
      `Line ${headerAt + 1}: the header lacks ${missing.join(', ')}; run nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (with its header)`,
    )
  }
  const samples: ReturnType<typeof parseNvidiaSmiCsv>['samples'] = []
  const rejected: ReturnType<typeof parseNvidiaSmiCsv>['rejected'] = []
  const dataLines = lines.length - headerAt - 1
  if (opts.maxLines !== undefined && dataLines > opts.maxLines) throw new CsvHeaderError(`The file has ${dataLines} lines; at most ${opts.maxLines} per upload`)
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue
    const row = sampleOfCells(
      lines[i].split(',').map((c) => c.trim()),
      i + 1,
      header.length,
      at,
      offset,
    )
    if ('errors' in row) rejected.push(row)
    else samples.push(row)
  }
  return { samples, rejected }
}
