import { describe, expect, test } from 'vitest'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { metricsPlan, ZMetricsQuery } from '@/lib/metrics/query'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_NARROW_ROLLUPS } from '@/lib/rollups/tables'

const d = (s: string) => new Date(s)
const iso = (x: Date) => x.toISOString()
const plan = (query: Record<string, string>) => {
  const p = metricsPlan(ZMetricsQuery.parse(query))
  return { table: p.cost.daily?.table ?? 'rollups_hourly', outcomes: p.outcomes.daily?.table ?? 'rollups_outcomes_hourly' }
}
// a page's 30-day period: midnight 30 days ago up to the next hour boundary
const P30 = { from: '2026-10-27T00:00:00.000Z', to: '2026-11-25T22:00:00.000Z' }

describe('planSource: the days and hours of a range', () => {
  const T = [{ table: 'daily', dims: ['environment', 'traffic_source', 'workflow_id'] }]
  const need = ['environment', 'traffic_source']

  test("a page's period: whole days from the daily table, today's hours from the hourly one", () => {
    const p = planSource(T, need, { from: d(P30.from), to: d(P30.to) }, 'day')
    expect(p.daily).toEqual({ table: 'daily', from: d('2026-10-27T00:00:00.000Z'), to: d('2026-11-25T00:00:00.000Z') })
    expect(p.hourly).toEqual([{ from: d('2026-11-25T00:00:00.000Z'), to: d(P30.to) }])
  })

  test('whole days only: no hourly read', () => {
    const p = planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-08') }, 'none')
    expect(p.daily).toEqual({ table: 'daily', from: d('2026-11-01'), to: d('2026-11-08') })
    expect(p.hourly).toEqual([])
  })

  test('ragged ends on both sides: hours before the first whole day and after the last', () => {
    const p = planSource(T, need, { from: d('2026-11-01T05:30:00Z'), to: d('2026-11-04T07:10:00Z') }, 'none')
    // hours read: from 05:00 on the 1st (the hour of `from`) up to 08:00 on the 4th (the hour 07:00 starts before `to`)
    expect(p.daily).toEqual({ table: 'daily', from: d('2026-11-02'), to: d('2026-11-04') })
    expect(p.hourly).toEqual([
      { from: d('2026-11-01T05:00:00Z'), to: d('2026-11-02') },
      { from: d('2026-11-04'), to: d('2026-11-04T07:10:00Z') },
    ])
  })

  test('a `to` inside the last hour of a day makes that day whole', () => {
    const p = planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-02T23:30:00Z') }, 'none')
    expect(p.daily).toEqual({ table: 'daily', from: d('2026-11-01'), to: d('2026-11-03') })
    expect(p.hourly).toEqual([])
  })

  test('no whole day, hour granularity, or a dimension no daily table has: hourly only, as before', () => {
    const hourlyOnly = (from: string, to: string) => ({
      daily: null,
      hourly: [{ from: new Date(Math.floor(d(from).getTime() / 3_600_000) * 3_600_000), to: d(to) }],
    })
    expect(planSource(T, need, { from: d('2026-11-01T05:30:00Z'), to: d('2026-11-02T03:00:00Z') }, 'none')).toEqual(
      hourlyOnly('2026-11-01T05:30:00Z', '2026-11-02T03:00:00Z'),
    )
    expect(planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-08') }, 'hour')).toEqual(hourlyOnly('2026-11-01', '2026-11-08'))
    expect(planSource(T, [...need, 'step'], { from: d('2026-11-01'), to: d('2026-11-08') }, 'none')).toEqual(hourlyOnly('2026-11-01', '2026-11-08'))
  })

  test('additive reads: a ragged end of more than half a day is its whole day minus the other hours', () => {
    const r = { from: d('2026-11-01T03:10:00Z'), to: d('2026-11-04T19:30:00Z') }
    const p = planSource(T, need, r, 'none', [], { additive: true })
    expect(p.daily).toEqual({ table: 'daily', from: d('2026-11-02'), to: d('2026-11-04') })
    expect(p.hourly).toEqual([])
    // the 1st from 03:00 = the 1st minus 00:00–03:00; the 4th up to 19:30 (its hours 00:00–19:00) = the 4th minus 20:00–24:00
    expect(p.complement).toEqual({
      days: [
        { from: d('2026-11-01'), to: d('2026-11-02') },
        { from: d('2026-11-04'), to: d('2026-11-05') },
      ],
      hours: [
        { from: d('2026-11-01'), to: d('2026-11-01T03:00:00Z') },
        { from: d('2026-11-04T19:30:00Z'), to: d('2026-11-05') },
      ],
    })
    // half a day or less stays hours; a read that is not additive never subtracts
    const short = planSource(T, need, { from: d('2026-11-01T12:00:00Z'), to: d('2026-11-04T12:00:00Z') }, 'none', [], { additive: true })
    expect(short.complement).toBeUndefined()
    expect(short.hourly).toHaveLength(2)
    expect(planSource(T, need, r, 'none').complement).toBeUndefined()
  })

  test('additive reads: a range that ends at the current hour takes today whole, whatever the hour (the hours after now hold nothing)', () => {
    // noon: 12 hours in the range, 12 after it, but those are after now
    const noon = { from: d('2026-11-01T12:00:00Z'), to: d('2026-11-04T12:00:00Z') }
    const p = planSource(T, need, noon, 'none', [], { additive: true, now: d('2026-11-04T11:20:00Z') })
    expect(p.hourly).toEqual([{ from: d('2026-11-01T12:00:00Z'), to: d('2026-11-02') }]) // the first day: 12 hours in, 12 out, both past
    expect(p.complement).toEqual({ days: [{ from: d('2026-11-04'), to: d('2026-11-05') }], hours: [{ from: d('2026-11-04T12:00:00Z'), to: d('2026-11-05') }] })
    // one hour into the day, likewise
    const early = planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-04T01:00:00Z') }, 'none', [], { additive: true, now: d('2026-11-04T00:40:00Z') })
    expect(early.hourly).toEqual([])
    expect(early.complement?.days).toEqual([{ from: d('2026-11-04'), to: d('2026-11-05') }])
    // read later the same day, its other hours are past and more than its own: hours, as before
    const later = planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-04T01:00:00Z') }, 'none', [], { additive: true, now: d('2026-11-04T20:00:00Z') })
    expect(later.complement).toBeUndefined()
    expect(later.hourly).toEqual([{ from: d('2026-11-04'), to: d('2026-11-04T01:00:00Z') }])
    // in the afternoon: the 3 past hours after the range are fewer than its 10
    const afternoon = planSource(T, need, { from: d('2026-11-01'), to: d('2026-11-04T10:00:00Z') }, 'none', [], {
      additive: true,
      now: d('2026-11-04T12:30:00Z'),
    })
    expect(afternoon.complement?.hours).toEqual([{ from: d('2026-11-04T10:00:00Z'), to: d('2026-11-05') }])
  })

  test('sourceSql adds the complement days and subtracts the hours (the sums negated), and refuses it without the sums', () => {
    const p = planSource(T, need, { from: d('2026-11-01T03:00:00Z'), to: d('2026-11-03') }, 'none', [], { additive: true })
    const params: unknown[] = ['org']
    const sql = sourceSql(p, 'hourly', ['workflow_id', 'events'], [], params, ['events'])
    expect(sql).toContain('SELECT day AS at, workflow_id, events FROM daily')
    expect(sql).toContain('SELECT hour AS at, workflow_id, -events AS events FROM hourly')
    expect(params.slice(1)).toEqual([
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T03:00:00.000Z',
    ])
    expect(() => sourceSql(p, 'hourly', ['workflow_id', 'events'], [], ['org'])).toThrow(/sums/)
  })

  test('the first table (narrowest) that has every dimension', () => {
    const tables = [
      { table: 'a', dims: ['x'] },
      { table: 'b', dims: ['x', 'y'] },
      { table: 'c', dims: ['x', 'y', 'z'] },
    ]
    const r = { from: d('2026-11-01'), to: d('2026-11-03') }
    expect(planSource(tables, ['x'], r, 'none').daily?.table).toBe('a')
    expect(planSource(tables, ['y'], r, 'none').daily?.table).toBe('b')
    expect(planSource(tables, ['z', 'x'], r, 'none').daily?.table).toBe('c')
    expect(planSource(tables, ['w'], r, 'none').daily).toBeNull()
  })
})

describe('planSource: whole ISO weeks from a weekly twin', () => {
  const T = [
    { table: 'narrow', dims: ['environment'] },
    { table: 'wide', dims: ['environment', 'account_id'], weekly: 'wide_weekly' },
  ]
  test("a page's 30 days: the whole weeks (Monday to Monday) weekly, the days around them daily, today's hours hourly", () => {
    const p = planSource(T, ['environment', 'account_id'], { from: d(P30.from), to: d(P30.to) }, 'none')
    // 2026-10-27 is a Tuesday: weeks from Mon 2 Nov to Mon 23 Nov
    expect(p.daily).toEqual({ table: 'wide', from: d('2026-10-27'), to: d('2026-11-25') })
    expect(p.weekly).toEqual({ table: 'wide_weekly', from: d('2026-11-02'), to: d('2026-11-23') })
    expect(p.hourly.map((h) => [iso(h.from), iso(h.to)])).toEqual([['2026-11-25T00:00:00.000Z', '2026-11-25T22:00:00.000Z']])
  })
  test('not per day, not for a table without a twin, not when no whole week fits', () => {
    const r = { from: d('2026-10-27'), to: d('2026-11-25') }
    expect(planSource(T, ['environment', 'account_id'], r, 'day').weekly).toBeUndefined()
    expect(planSource(T, ['environment'], r, 'none').weekly).toBeUndefined()
    expect(planSource(T, ['account_id'], { from: d('2026-11-03'), to: d('2026-11-09') }, 'none').weekly).toBeUndefined()
    expect(planSource(T, ['account_id'], { from: d('2026-11-02'), to: d('2026-11-09') }, 'none').weekly).toEqual({
      table: 'wide_weekly',
      from: d('2026-11-02'),
      to: d('2026-11-09'),
    })
  })
  test('sourceSql reads the weeks, then the days before and after them, then the hours', () => {
    const params: unknown[] = ['org']
    const p = planSource(T, ['account_id'], { from: d('2026-10-30T05:00:00Z'), to: d('2026-11-11T02:00:00Z') }, 'none')
    const sql = sourceSql(p, 'hourly', ['events'], [], params)
    expect(sql.match(/FROM \w+/g)).toEqual(['FROM wide_weekly', 'FROM wide', 'FROM wide', 'FROM hourly', 'FROM hourly'])
    expect(params.slice(1)).toEqual([
      '2026-11-02T00:00:00.000Z',
      '2026-11-09T00:00:00.000Z', // week
      '2026-10-31T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z', // days before
      '2026-11-09T00:00:00.000Z',
      '2026-11-11T00:00:00.000Z', // days after
      '2026-10-30T05:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2026-11-11T00:00:00.000Z',
      '2026-11-11T02:00:00.000Z', // hours
    ])
  })
})

describe('metricsPlan: the table each page request reads', () => {
  test('the overview, workflows, features and accounts pages', () => {
    expect(plan({ ...P30 })).toMatchObject({ table: 'rollups_daily_models' })
    expect(plan({ ...P30, granularity: 'day', group_by: 'traffic_source' }).table).toBe('rollups_daily_models')
    expect(plan({ ...P30, group_by: 'provider,model' }).table).toBe('rollups_daily_models')
    expect(plan({ ...P30, group_by: 'workflow_id' })).toEqual({ table: 'rollups_daily_workflows', outcomes: 'rollups_outcomes_daily_workflows' })
    expect(plan({ ...P30, group_by: 'workflow_id', outcome: 'retry,error' }).table).toBe('rollups_daily_workflows')
    expect(plan({ ...P30, group_by: 'feature', environment: 'production' }).table).toBe('rollups_daily_workflows')
    expect(plan({ ...P30, group_by: 'account_id', granularity: 'day' })).toEqual({ table: 'rollups_daily_accounts', outcomes: 'rollups_outcomes_daily' })
  })

  test('detail pages', () => {
    expect(plan({ ...P30, workflow_id: 'w', group_by: 'step,provider,model', latency_quantiles: 'true' }).table).toBe('rollups_daily_steps')
    expect(plan({ ...P30, workflow_id: 'w', group_by: 'outcome', granularity: 'day' }).table).toBe('rollups_daily_workflows')
    expect(plan({ ...P30, account_id: 'a', group_by: 'account_id' }).table).toBe('rollups_daily_accounts')
    expect(plan({ ...P30, account_id: 'a', group_by: 'workflow_id', granularity: 'day' }).table).toBe('rollups_daily')
    expect(plan({ ...P30, group_by: 'account_id,workflow_id,step', outcome: 'retry,error' }).table).toBe('rollups_daily')
  })

  test('hour granularity stays hourly; outcomes follow their own dimensions', () => {
    expect(plan({ ...P30, granularity: 'hour', from: '2026-11-20' })).toEqual({ table: 'rollups_hourly', outcomes: 'rollups_outcomes_hourly' })
    expect(plan({ ...P30, group_by: 'feature', account_id: 'a' }).outcomes).toBe('rollups_outcomes_daily')
  })

  test('the hours come from the narrow hourly table when its key holds every dimension needed', () => {
    const hours = (query: Record<string, string>) => metricsPlan(ZMetricsQuery.parse(query)).cost.hourlyTable ?? 'rollups_hourly'
    // the workflow page's latency and outcomes per hour over 7 days
    const P7 = { from: '2026-11-18T00:00:00.000Z', to: '2026-11-25T22:00:00.000Z', granularity: 'hour' }
    expect(hours({ ...P7, workflow_id: 'w', group_by: 'workflow_id', measures: 'events', latency_quantiles: 'true' })).toBe('rollups_hourly_workflows')
    expect(hours({ ...P7, workflow_id: 'w', group_by: 'outcome', measures: 'events', environment: 'production' })).toBe('rollups_hourly_workflows')
    // a dimension the narrow key lacks: rollups_hourly
    expect(hours({ ...P7, workflow_id: 'w', group_by: 'step' })).toBe('rollups_hourly')
    expect(hours({ ...P7, account_id: 'a', group_by: 'workflow_id' })).toBe('rollups_hourly')
    // a 30-day read's partial days too
    expect(hours({ ...P30, group_by: 'feature' })).toBe('rollups_hourly_workflows')
    // daily: false (the tests' hourly-only reads) reads rollups_hourly alone
    expect(metricsPlan(ZMetricsQuery.parse({ ...P7, group_by: 'workflow_id' }), { daily: false }).cost.hourlyTable).toBeUndefined()
    const params: unknown[] = ['org']
    const sql = sourceSql(metricsPlan(ZMetricsQuery.parse({ ...P7, group_by: 'workflow_id' })).cost, 'rollups_hourly', ['workflow_id', 'events'], [], params)
    expect(sql.match(/FROM \w+/g)).toEqual(['FROM rollups_hourly_workflows'])
  })

  test('every narrow hourly table keys environment and traffic source', () => {
    for (const t of HOURLY_NARROW_ROLLUPS) expect(t.dims).toEqual(expect.arrayContaining(['environment', 'traffic_source']))
  })

  test('every daily table keys environment and traffic source (production_cost_usd needs them)', () => {
    for (const t of DAILY_ROLLUPS) expect(t.dims).toEqual(expect.arrayContaining(['environment', 'traffic_source']))
    expect(DAILY_OUTCOMES.at(-1)?.dims).toEqual(['workflow_id', 'feature', 'account_id'])
  })
})

describe('sourceSql', () => {
  test('one branch per table read, with the shared filters and their own time bounds', () => {
    const params: unknown[] = ['org', ['production']]
    const p = planSource(DAILY_ROLLUPS, ['environment', 'traffic_source'], { from: d('2026-11-01T05:00:00Z'), to: d('2026-11-03T02:00:00Z') }, 'none')
    const sql = sourceSql(p, 'rollups_hourly', ['environment', 'events'], ['environment = ANY($2::text[])'], params)
    expect(sql.match(/SELECT/g)).toHaveLength(3)
    expect(sql).toContain(
      'SELECT day AS at, environment, events FROM rollups_daily_models WHERE org_id = $1 AND day >= $3::timestamptz AND day < $4::timestamptz AND environment = ANY($2::text[])',
    )
    expect(sql).toContain('SELECT hour AS at, environment, events FROM rollups_hourly WHERE org_id = $1 AND hour >= $5::timestamptz AND hour < $6::timestamptz')
    expect(params.slice(2).map((x) => iso(new Date(x as string)))).toEqual([
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
      '2026-11-03T02:00:00.000Z',
    ])
  })
})

describe('planSource: ragged weeks of an additive read', () => {
  const T = [{ table: 'wide', dims: ['environment', 'account_id'], weekly: 'wide_weekly' }]
  const need = ['account_id']

  test('five or more ragged days beside the whole weeks: their whole week minus its other days', () => {
    // Tue 2026-09-08 … Sun 2026-12-06 22:30 (a 90-day page late in the day): whole weeks Mon 09-14 … Mon 11-30
    const r = { from: d('2026-09-08T00:00:00Z'), to: d('2026-12-06T23:00:00Z') }
    const p = planSource(T, need, r, 'none', [], { additive: true })
    expect(p.weekly).toEqual({ table: 'wide_weekly', from: d('2026-09-14'), to: d('2026-11-30') })
    expect(p.complement?.weeks).toEqual([
      { from: d('2026-09-07'), to: d('2026-09-14') },
      { from: d('2026-11-30'), to: d('2026-12-07') },
    ])
    // the 6th up to 23:00 would be the 6th minus its last hour: the week subtracts the 6th whole, so neither reads it
    expect(p.complement?.days).toEqual([])
    expect(p.complement?.hours).toEqual([{ from: d('2026-12-06T23:00:00Z'), to: d('2026-12-07') }])
    expect(p.complement?.minusDays).toEqual([{ from: d('2026-09-07'), to: d('2026-09-08') }])
    const params: unknown[] = ['org']
    const sql = sourceSql(p, 'hourly', ['account_id', 'events'], [], params, ['events'])
    // the ragged days are not read as days: the whole weeks, the hour after 23:00 (subtracted), the two ragged weeks, Monday the 7th (subtracted)
    expect(sql.match(/SELECT \w+ AS at, account_id, (?:-events AS )?events FROM \w+/g)).toEqual([
      'SELECT week AS at, account_id, events FROM wide_weekly',
      'SELECT hour AS at, account_id, -events AS events FROM hourly',
      'SELECT week AS at, account_id, events FROM wide_weekly',
      'SELECT week AS at, account_id, events FROM wide_weekly',
      'SELECT day AS at, account_id, -events AS events FROM wide',
    ])
  })

  test('four ragged days or fewer stay days; a read that is not additive, or per day, never subtracts', () => {
    const r = { from: d('2026-09-10T00:00:00Z'), to: d('2026-12-03T00:00:00Z') } // Thu … Thu: 4 and 3 ragged days
    expect(planSource(T, need, r, 'none', [], { additive: true }).complement).toBeUndefined()
    const wide = { from: d('2026-09-08T00:00:00Z'), to: d('2026-12-06T00:00:00Z') }
    expect(planSource(T, need, wide, 'none').complement).toBeUndefined()
    expect(planSource(T, need, wide, 'day', [], { additive: true }).complement).toBeUndefined()
  })
})
