-- The Calls explorer and the run view (GET /api/v1/calls, GET /api/v1/runs/{run_id}, docs/calls.md). A page of calls
-- walks an index backwards in (timestamp) order until it has `limit` matches: with a filter on a rare workflow,
-- account or feature, inference_events_org_id_timestamp_idx read every event of the period to find few or none
-- (a parallel sequential scan of the organization for a value with no calls: docs/benchmarks/calls.md). These
-- lead with the value the drill-down links filter on, then the timestamp the pages are ordered by. Partial where
-- the column is optional: events without one are never looked up by it. Each index costs every insert (docs/benchmarks/calls.md
-- measures a batch's insert with and without four, two are kept): the other dimensions are either in an existing index
-- (provider, model) or narrow a drill-down that one of these already answers (step within a workflow).
CREATE INDEX "inference_events_org_id_workflow_id_timestamp_idx" ON "inference_events" ("org_id", "workflow_id", "timestamp");
-- Not for account_id and feature (measured, docs/benchmarks/calls.md): every index is paid by every insert and ingest at
-- real cardinality is the bottleneck (issue 22). A rare account's calls are found by walking the timestamp index.
-- A run's calls in order (the run view), and a run_id filter in the explorer.
CREATE INDEX "inference_events_org_id_run_id_timestamp_idx" ON "inference_events" ("org_id", "run_id", "timestamp") WHERE "run_id" IS NOT NULL;
