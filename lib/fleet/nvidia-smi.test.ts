import { describe, expect, it } from 'vitest'
import { CsvHeaderError, parseNvidiaSmiCsv, parseUtcOffset } from '@/lib/fleet/nvidia-smi'

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
    const r = parseNvidiaSmiCsv('index, memory.used [MiB], timestamp, utilization.gpu [%]\n2, 100 MiB, 2026/11/20 12:00:00.000, 50 %', { utcOffsetMinutes: 120 })
    expect(r.samples[0]).toMatchObject({ gpu_index: 2, memory_used_mib: 100, utilization_pct: 50, timestamp: new Date('2026-11-20T10:00:00.000Z') })
  })
  it('reports each bad line with its number and reason, and keeps the good ones', () => {
    const r = parseNvidiaSmiCsv([
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
    ].join('\n'))
    expect(r.samples.map((s) => [s.line, s.gpu_index, s.memory_used_mib])).toEqual([[2, 0, 100], [9, 3, null]])
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
