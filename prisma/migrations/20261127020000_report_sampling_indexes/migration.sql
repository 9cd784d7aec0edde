-- The quarterly audit (lib/reports/audit.ts) samples 100 calls per workflow, stratified by UTC day: each day
-- of the quarter gives its share of the sample, its calls taken in a deterministic pseudo-random order (the
-- order of hashtext(event_id)). Keyed on (workflow, traffic source, day, hash), each day's share is the first
-- rows of one index range: a few hundred rows read per workflow, whatever the size of the table. The day
-- before the hash keeps the writes local: new events land in today's part of the index, not all over it.
CREATE INDEX "inference_events_sample_idx" ON "inference_events"
  ("org_id", "workflow_id", "traffic_source", (date_bin('1 day'::interval, "timestamp", '2000-01-01 00:00:00+00'::timestamptz)), (hashtext("event_id")));

-- The monthly report's spend by scenario: scenario_id is not a rollup dimension, so the events that carry one
-- are read here (index only: the columns are included), and the rest of each workflow's spend comes from
-- the rollups. Partial: events without a scenario, the most, add nothing to it.
CREATE INDEX "inference_events_scenario_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("scenario_id", "workflow_id", "cost_usd")
  WHERE "scenario_id" IS NOT NULL;
