-- The monthly report's spend by scenario: scenario_id is not a rollup dimension, so the events that carry one
-- are read here (index only: the columns are included), and the rest of each workflow's spend comes from
-- the rollups. Partial: events without a scenario, the most, add nothing to it.
-- (The quarterly audit has no index of its own: it walks inference_events_org_id_timestamp_idx, lib/reports/audit.ts.)
CREATE INDEX "inference_events_scenario_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("scenario_id", "workflow_id", "cost_usd")
  WHERE "scenario_id" IS NOT NULL;
