import { describe, expect, it } from 'vitest'
import { evalsFromCsv, parseCsv } from '@/lib/routing/eval-csv'
import { ZEvalsBody } from '@/lib/routing/schema'

describe('eval CSV', () => {
  it('parses quoted cells, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n\r\n1,2,3\n')).toEqual([['a', 'b,c', 'say "hi"'], ['1', '2', '3']])
  })

  it('turns rows into eval imports the API accepts; other columns are metric scores', () => {
    const csv = 'eval_set,provider,model,sample_count,tokens_in,tokens_out,cost_usd,grounding,format_ok\n'
      + 'golden,openai,gpt-4o-mini,200,400000,60000,,0.91,1\n'
      + 'golden,anthropic,claude-3-5-haiku,200,,,0.31,0.95,0.995\n'
    const r = evalsFromCsv(csv, { workflow_id: 'support', step: 'classify' })
    expect(r.errors).toEqual([])
    expect(r.evals[0]).toEqual({ workflow_id: 'support', step: 'classify', eval_set: 'golden', provider: 'openai', model: 'gpt-4o-mini', sample_count: 200, tokens_in: 400000, tokens_out: 60000, scores: { grounding: 0.91, format_ok: 1 } })
    expect(r.evals[1]).toMatchObject({ cost_usd: '0.31', scores: { grounding: 0.95, format_ok: 0.995 } })
    expect(ZEvalsBody.safeParse({ evals: r.evals }).success).toBe(true)
  })

  it('says which column or row is wrong', () => {
    expect(evalsFromCsv('provider,model\nx,y', { workflow_id: 'w', step: 's' }).errors).toEqual([
      'header: the column eval_set is missing', 'header: the column sample_count is missing', 'header: add at least one metric column (e.g. grounding), scores between 0 and 1',
    ])
    expect(evalsFromCsv('eval_set,provider,model,sample_count,grounding\ng,o,m,ten,high', { workflow_id: 'w', step: 's' }).errors).toEqual([
      'row 2: sample_count: must be a whole number', 'row 2: grounding: must be a score between 0 and 1',
    ])
  })
})
