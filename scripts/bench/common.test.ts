import { describe, expect, it } from 'vitest'
import { percentile, statementLabel } from './common'

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n)', () => {
    const xs = Array.from({ length: 20 }, (_, i) => 20 - i) // 20..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(10)
    expect(percentile(xs, 95)).toBe(19)
    expect(percentile(xs, 100)).toBe(20)
    expect(percentile(xs, 0)).toBe(1)
  })

  it('is the only value of one sample, NaN of none, and keeps Infinity for never-observed values', () => {
    expect(percentile([42], 95)).toBe(42)
    expect(percentile([], 50)).toBeNaN()
    expect(percentile([1, 2, Infinity], 99)).toBe(Infinity)
  })
})

describe('statementLabel', () => {
  it('names a one-statement CTE by its first data-modifying part, another statement by its first words', () => {
    expect(
      statementLabel(
        'WITH h AS MATERIALIZED (SELECT t FROM unnest($2::timestamptz[]) AS u(t)),\nr0 AS (INSERT INTO rollups_hourly AS x (org_id) SELECT 1),\nr9 AS (INSERT INTO rollups_weekly AS x (org_id) SELECT 1) SELECT 1',
      ),
    ).toBe('WITH … INSERT INTO rollups_hourly … (every cost rollup table)')
    expect(statementLabel('WITH ins AS (INSERT INTO inference_events (org_id) SELECT 1) SELECT 1')).toBe('WITH … INSERT INTO inference_events …')
    expect(statementLabel('  SELECT id::text, org_id FROM ingest_batches WHERE id = $1')).toBe('SELECT id::text, org_id FROM ingest_batches')
    expect(statementLabel('BEGIN; SET LOCAL synchronous_commit = off')).toBe('BEGIN; SET LOCAL synchronous_commit')
  })
})
