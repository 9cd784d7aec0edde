-- Issue 22: inference_events partitioned by month of "timestamp" (native declarative partitioning), with a
-- per-organization raw-event retention. Design, numbers and operations: docs/events-partitioning.md.
-- The migration runner splits statements at every semicolon, even inside a function body or a DO block,
-- so each body is an escape string with \073 for each of its semicolons.

-- How many days of raw events an organization keeps (NULL: as long as events are accepted, 400 days).
-- Rollups are kept whatever it says.
ALTER TABLE "organizations" ADD COLUMN "raw_event_retention_days" INTEGER;
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_raw_event_retention_days_check"
  CHECK ("raw_event_retention_days" IS NULL OR "raw_event_retention_days" BETWEEN 1 AND 400);

-- Exactly-once across partitions: a partitioned table's unique constraints must include the partition key, so
-- (org_id, event_id) alone can no longer be unique in inference_events. This narrow table is: the ingest
-- transaction inserts each event's id here first (ON CONFLICT DO NOTHING) and only the ids it inserted into
-- inference_events, and the ingest API's duplicate probe reads it. Retention deletes an id with its event.
CREATE TABLE "inference_event_ids" (
    "org_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    CONSTRAINT "inference_event_ids_pkey" PRIMARY KEY ("org_id", "event_id")
);
SELECT outlay_protect('inference_event_ids');

-- The table as it was: renamed, its secondary indexes dropped (the copy below reads it once, in order of
-- storage), its row-level security no longer forced on its owner (the copy must see every organization's rows
-- when the migrating role is the owner but not a superuser).
ALTER TABLE "inference_events" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "inference_events" RENAME TO "inference_events_unpartitioned";
ALTER TABLE "inference_events_unpartitioned" RENAME CONSTRAINT "inference_events_pkey" TO "inference_events_unpartitioned_pkey";
DROP INDEX "inference_events_org_id_timestamp_idx";
DROP INDEX "inference_events_org_id_provider_model_timestamp_idx";
DROP INDEX "inference_events_unpriced_idx";
DROP INDEX "inference_events_discrepancy_idx";
DROP INDEX "inference_events_gpu_pool_idx";
DROP INDEX "inference_events_scenario_idx";
DROP INDEX "inference_events_gateway_idx";
DROP INDEX "inference_events_org_id_workflow_id_timestamp_idx";
DROP INDEX "inference_events_org_id_run_id_timestamp_idx";

CREATE TABLE "inference_events" (LIKE "inference_events_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)
  PARTITION BY RANGE ("timestamp");
-- Unique with the partition key: serves the lookups by event id (a prefix) in every partition. The global
-- uniqueness of (org_id, event_id) is inference_event_ids'.
ALTER TABLE "inference_events" ADD CONSTRAINT "inference_events_pkey" PRIMARY KEY ("org_id", "event_id", "timestamp");
CREATE INDEX "inference_events_org_id_timestamp_idx" ON "inference_events" ("org_id", "timestamp");
CREATE INDEX "inference_events_org_id_provider_model_timestamp_idx" ON "inference_events" ("org_id", "provider", "model", "timestamp");
CREATE INDEX "inference_events_unpriced_idx" ON "inference_events" ("org_id", "provider", "model", "timestamp") WHERE "cost_usd" IS NULL;
CREATE INDEX "inference_events_discrepancy_idx" ON "inference_events" ("org_id", "timestamp")
  INCLUDE ("provider", "model", "cost_usd", "reported_cost_usd")
  WHERE "reported_cost_usd" IS NOT NULL AND "cost_usd" IS NOT NULL AND abs("cost_usd" - "reported_cost_usd") > 0.01 * GREATEST("reported_cost_usd", "cost_usd");
CREATE INDEX "inference_events_gpu_pool_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("gpu_pool", "scenario_id", "workflow_id") WHERE "gpu_pool" IS NOT NULL;
CREATE INDEX "inference_events_scenario_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("scenario_id", "workflow_id", "cost_usd") WHERE "scenario_id" IS NOT NULL;
CREATE INDEX "inference_events_gateway_idx" ON "inference_events" ("org_id", "timestamp" DESC) WHERE "metadata" ? 'outlay.gateway';
CREATE INDEX "inference_events_org_id_workflow_id_timestamp_idx" ON "inference_events" ("org_id", "workflow_id", "timestamp");
CREATE INDEX "inference_events_org_id_run_id_timestamp_idx" ON "inference_events" ("org_id", "run_id", "timestamp") WHERE "run_id" IS NOT NULL;
SELECT outlay_protect('inference_events');

-- A row no monthly partition covers lands here instead of failing its transaction (a partition that could not
-- be created, see outlay_ensure_event_partitions). It stays readable and the per-organization delete reaches it.
CREATE TABLE "inference_events_default" PARTITION OF "inference_events" DEFAULT;
SELECT outlay_protect('inference_events_default');

-- Days of raw events the partitions must cover: the longest retention of any organization (NULL counts as the
-- 400 days an event may be old when it arrives, lib/ingest/schema.ts), plus a day's margin.
CREATE OR REPLACE FUNCTION outlay_event_keep_days() RETURNS int
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT coalesce(max(coalesce(raw_event_retention_days, 400)), 400) + 1 FROM organizations ';

-- Creates the monthly partitions (UTC months, named inference_events_YYYYMM) from the month the longest retention
-- reaches back to (or since, if earlier) up to months_ahead months after the current one, each protected like its
-- parent. Idempotent. A month whose rows already sit in the default partition is skipped (PostgreSQL refuses the
-- partition): its rows stay in the default partition. Answers the partitions it created.
-- Owned by the tables' owner (only the owner may add partitions), called by the workers' maintenance job.
CREATE OR REPLACE FUNCTION outlay_ensure_event_partitions(months_ahead int, since timestamptz DEFAULT NULL) RETURNS SETOF text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS E'
DECLARE
  m timestamp\073
  stop timestamp\073
  part text\073
BEGIN
  m := date_trunc(''month'', least(coalesce(since, now()), now() - make_interval(days => outlay_event_keep_days())) AT TIME ZONE ''UTC'')\073
  stop := date_trunc(''month'', now() AT TIME ZONE ''UTC'') + make_interval(months => greatest(months_ahead, 0))\073
  WHILE m <= stop LOOP
    part := ''inference_events_'' || to_char(m, ''YYYYMM'')\073
    IF to_regclass(part) IS NULL THEN
      BEGIN
        EXECUTE format(''CREATE TABLE %I PARTITION OF inference_events FOR VALUES FROM (%L) TO (%L)'',
          part, (m AT TIME ZONE ''UTC''), ((m + interval ''1 month'') AT TIME ZONE ''UTC''))\073
        PERFORM outlay_protect(part::regclass)\073
        RETURN NEXT part\073
      EXCEPTION WHEN check_violation THEN
        RAISE WARNING ''partition % not created: the default partition holds rows of that month'', part\073
      END\073
    END IF\073
    m := m + interval ''1 month''\073
  END LOOP\073
END ';

-- The monthly partitions past every organization's retention (their upper bound older than outlay_event_keep_days),
-- oldest first.
CREATE OR REPLACE FUNCTION outlay_expired_event_partitions() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ''inference_events''::regclass AND c.relname ~ ''^inference_events_[0-9]{6}$''
          AND (to_date(substr(c.relname, 18), ''YYYYMM'') + interval ''1 month'') AT TIME ZONE ''UTC''
              <= now() - make_interval(days => outlay_event_keep_days())
        ORDER BY c.relname ';

-- Before an expired partition is dropped: its events' ids, so that inference_event_ids holds exactly the ids of the
-- stored events. Owned by outlay_system (it reads every organization's rows), checked again here.
CREATE OR REPLACE FUNCTION outlay_forget_event_ids(part text) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS E'
DECLARE n bigint\073
BEGIN
  IF part NOT IN (SELECT outlay_expired_event_partitions()) THEN
    RAISE EXCEPTION ''% is not an expired partition of inference_events'', part\073
  END IF\073
  EXECUTE format(''WITH d AS (DELETE FROM inference_event_ids i USING %I p WHERE i.org_id = p.org_id AND i.event_id = p.event_id RETURNING 1) SELECT count(*) FROM d'', part) INTO n\073
  RETURN n\073
END ';
ALTER FUNCTION outlay_forget_event_ids(text) OWNER TO outlay_system;

-- Drops an expired partition (checked again here). Owned by the tables' owner: only it may drop a partition.
CREATE OR REPLACE FUNCTION outlay_drop_event_partition(part text) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS E'
BEGIN
  IF part NOT IN (SELECT outlay_expired_event_partitions()) THEN
    RAISE EXCEPTION ''% is not an expired partition of inference_events'', part\073
  END IF\073
  EXECUTE format(''DROP TABLE %I'', part)\073
END ';
REVOKE ALL ON FUNCTION outlay_ensure_event_partitions(int, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION outlay_drop_event_partition(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION outlay_forget_event_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outlay_ensure_event_partitions(int, timestamptz), outlay_drop_event_partition(text), outlay_forget_event_ids(text),
  outlay_expired_event_partitions(), outlay_event_keep_days() TO outlay_app;

SELECT outlay_ensure_event_partitions(2, (SELECT min("timestamp") FROM "inference_events_unpartitioned"));

-- The rows: a real deployment has them (the demo database and CI migrate empty ones).
INSERT INTO "inference_events" SELECT * FROM "inference_events_unpartitioned";
INSERT INTO "inference_event_ids" ("org_id", "event_id") SELECT "org_id", "event_id" FROM "inference_events_unpartitioned";
DROP TABLE "inference_events_unpartitioned";
ANALYZE "inference_events";
ANALYZE "inference_event_ids";
