-- Issue 22: every one of these (org_id, day|hour) indexes is a prefix of its table's primary key
-- (org_id, day|hour, ...), which answers the same range reads. Each was one more index entry to write
-- per rollup row upserted: dropping the seven took the ingest transaction's rollup statement from
-- 261.5 to 224 us of PostgreSQL CPU per event at the realistic load
-- (docs/benchmarks/2026-12-06-ingest-cardinality.md, re-measured in docs/benchmarks/2026-12-06-events-partitioning.md).
DROP INDEX IF EXISTS "rollups_hourly_org_id_hour_idx";
DROP INDEX IF EXISTS "rollups_daily_org_id_day_idx";
DROP INDEX IF EXISTS "rollups_daily_steps_org_id_day_idx";
DROP INDEX IF EXISTS "rollups_daily_workflows_org_id_day_idx";
DROP INDEX IF EXISTS "rollups_daily_models_org_id_day_idx";
DROP INDEX IF EXISTS "rollups_daily_accounts_org_id_day_idx";
DROP INDEX IF EXISTS "rollups_daily_account_steps_org_id_day_idx";
