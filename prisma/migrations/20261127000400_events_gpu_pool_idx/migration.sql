-- Self-hosted calls (those with a gpu_pool), by time: scenario cost reads
-- them and the calls with a scenario_id from the events, and every other call
-- from the rollups (lib/fleet/scenarios.ts). Partial: API calls pay nothing
-- for it. Not expressible in schema.prisma, kept here only.
CREATE INDEX "inference_events_gpu_pool_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("gpu_pool", "scenario_id", "workflow_id")
  WHERE "gpu_pool" IS NOT NULL;
