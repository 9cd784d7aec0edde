import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CsvLimitError, EVAL_CSV_MAX_FIELDS, EVAL_CSV_MAX_LINE_CHARS, evalsFromCsv, parseCsv } from '@/lib/routing/eval-csv'
import { ZEvalsBody } from '@/lib/routing/schema'

describe('eval CSV', () => {
  it('parses quoted cells, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ])
  })

  it('turns rows into eval imports the API accepts; other columns are metric scores', () => {
    const csv =
      'eval_set,provider,model,sample_count,tokens_in,tokens_out,cost_usd,grounding,format_ok\n' +
      'golden,openai,gpt-4o-mini,200,400000,60000,,0.91,1\n' +
      'golden,anthropic,claude-3-5-haiku,200,,,0.31,0.95,0.995\n'
    const r = evalsFromCsv(csv, { workflow_id: 'support', step: 'classify' })
    expect(r.errors).toEqual([])
    expect(r.evals[0]).toEqual({
      workflow_id: 'support',
      step: 'classify',
      eval_set: 'golden',
      provider: 'openai',
      model: 'gpt-4o-mini',
      sample_count: 200,
      tokens_in: 400000,
      tokens_out: 60000,
      scores: { grounding: 0.91, format_ok: 1 },
    })
    expect(r.evals[1]).toMatchObject({ cost_usd: '0.31', scores: { grounding: 0.95, format_ok: 0.995 } })
    expect(ZEvalsBody.safeParse({ evals: r.evals }).success).toBe(true)
  })

  it('says which column or row is wrong', () => {
    expect(evalsFromCsv('provider,model\nx,y', { workflow_id: 'w', step: 's' }).errors).toEqual([
      'header: the column eval_set is missing',
      'header: the column sample_count is missing',
      'header: add at least one metric column (e.g. grounding), scores between 0 and 1',
    ])
    expect(evalsFromCsv('eval_set,provider,model,sample_count,grounding\ng,o,m,ten,high', { workflow_id: 'w', step: 's' }).errors).toEqual([
      'row 2: sample_count: must be a whole number',
      'row 2: grounding: must be a score between 0 and 1',
    ])
  })
})

// The policy editor parses the chosen file in the page: whatever it holds, the answer comes after linear
// work. Nothing is timed; a parser that backtracks would blow vitest's timeout (each run yields to timers).
describe('eval CSV on hostile input', () => {
  const target = { workflow_id: 'w', step: 's' }
  const HEADER = 'eval_set,provider,model,sample_count,grounding'

  it('names the line and the limit past which it stops', () => {
    expect(evalsFromCsv(`${HEADER}\n${' '.repeat(4 * 1024 * 1024)}`, target)).toEqual({
      evals: [],
      errors: [`line 2: longer than ${EVAL_CSV_MAX_LINE_CHARS} characters`],
    })
    expect(() => parseCsv(`a\r\nb\rc\n${'x'.repeat(EVAL_CSV_MAX_LINE_CHARS + 1)}`)).toThrow(
      new CsvLimitError(`line 4: longer than ${EVAL_CSV_MAX_LINE_CHARS} characters`),
    )
    expect(parseCsv('x'.repeat(EVAL_CSV_MAX_LINE_CHARS))).toEqual([['x'.repeat(EVAL_CSV_MAX_LINE_CHARS)]])
    expect(evalsFromCsv(`${HEADER}\n${','.repeat(EVAL_CSV_MAX_FIELDS)}x`, target).errors).toEqual([
      `line 2: ${EVAL_CSV_MAX_FIELDS + 1} cells; at most ${EVAL_CSV_MAX_FIELDS} per row`,
    ])
    expect(evalsFromCsv(`${HEADER}\ng,o,m,1,"0.5\n`, target).errors).toEqual(['line 2: the file ends inside a quoted cell (a quote is never closed)'])
    const spanning = `"${'x\n'.repeat(EVAL_CSV_MAX_LINE_CHARS)}"`
    expect(evalsFromCsv(`${HEADER}\n${spanning}`, target).errors).toEqual([
      `line ${2 + EVAL_CSV_MAX_LINE_CHARS / 2}: a row longer than ${EVAL_CSV_MAX_LINE_CHARS} characters`,
    ])
  })

  const RUNS = [' ', '"', '""', ',', '\n', '\r', '\r\n', 'x', '0.5', HEADER, '"a,b"', '\uFEFF']
  const hostile = fc
    .array(fc.record({ chunk: fc.constantFrom(...RUNS), times: fc.integer({ min: 1, max: 100_000 }) }), { minLength: 1, maxLength: 12 })
    .map((runs) =>
      runs
        .map((r) => r.chunk.repeat(r.times))
        .join('')
        .slice(0, 4 * 1024 * 1024),
    )

  it('answers any text with eval rows or errors', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const r = evalsFromCsv(text, target)
        expect(r.evals.length > 0 || r.errors.length > 0).toBe(true)
        await new Promise((done) => setTimeout(done, 0))
      }),
      { numRuns: 30 },
    )
  })

  // Well-formed CSV (plain cells, or quoted ones holding commas, doubled quotes and line breaks):
  // the rows are the hand-written parser's of before.
  it('reads well-formed CSV exactly as the parser it replaced', () => {
    const plain = fc.stringMatching(/^[a-z0-9 .]{0,6}$/)
    const quoted = fc.stringMatching(/^[a-z ,"\n\r]{0,6}$/).map((s) => `"${s.replace(/"/g, '""')}"`)
    const row = fc.array(fc.oneof(plain, quoted), { minLength: 1, maxLength: 5 }).map((c) => c.join(','))
    const csv = fc
      .tuple(fc.array(row, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
      .map(([rows, nl, end]) => rows.join(nl) + (end ? nl : ''))
    fc.assert(
      fc.property(csv, (text) => {
        expect(parseCsv(text)).toEqual(referenceParseCsv(text))
      }),
      { numRuns: 1000 },
    )
  })
})

// The hand-written parser csv-parse replaced.
function referenceParseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === ',') row.push(cell), (cell = '')
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++
      row.push(cell)
      if (row.some((c) => c.trim() !== '')) rows.push(row)
      ;(row = []), (cell = '')
    } else cell += ch
  }
  row.push(cell)
  if (row.some((c) => c.trim() !== '')) rows.push(row)
  return rows
}
