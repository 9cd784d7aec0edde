-- The quarterly audit (lib/reports/audit.ts) samples 100 calls per workflow and traffic source in a
-- deterministic pseudo-random order: the order of hashtext(event_id). Keyed on that hash, the sample is the
-- first rows of one index range (a few hundred rows read, whatever the size of the table), instead of a sort
-- of every call the workflow made in the quarter.
CREATE INDEX "inference_events_sample_idx" ON "inference_events" ("org_id", "workflow_id", "traffic_source", (hashtext("event_id")));

-- The monthly report's spend by scenario: scenario_id is not a rollup dimension, so the events that carry one
-- are read here (index only: the columns are included), and the rest of each workflow's spend comes from
-- the rollups. Partial: events without a scenario, the most, add nothing to it.
CREATE INDEX "inference_events_scenario_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("scenario_id", "workflow_id", "cost_usd")
  WHERE "scenario_id" IS NOT NULL;
