-- A step's latest calls, from the index alone (the decision record: GET /api/v1/decision-record).
--
-- The decision record counts the scenarios of a step's latest 20,000 calls of the period, and reads the owners and
-- scenarios of its latest 500 (lib/decision-record/load.ts). The only index that led with the workflow was
-- (org_id, workflow_id, timestamp): it walked every call of the workflow and kept the step's, one table page per call
-- (on the 10M-event bench organization, 7 days: 162k rows from 21k table pages, 300-700 ms cold). This index leads
-- with the step and carries the columns those reads filter on and return, so they are index-only scans of about
-- 280 index pages (15-25 ms). It costs the ingest one more index entry per event: about 2 microseconds of
-- PostgreSQL CPU per event at the realistic load (npm run bench:ingest-statements, docs/benchmarks/reads.md).
--
-- Created on the partitioned table, so every partition, present and future, has it. Prisma's schema cannot state
-- INCLUDE: schema.prisma notes it beside the events' other indexes.
CREATE INDEX "inference_events_org_id_workflow_id_step_timestamp_idx" ON "inference_events" ("org_id", "workflow_id", "step", "timestamp")
  INCLUDE ("scenario_id", "owner", "environment", "traffic_source");
