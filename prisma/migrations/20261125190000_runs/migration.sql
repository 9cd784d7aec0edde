-- AlterTable
ALTER TABLE "rollups_hourly" ADD COLUMN     "runs" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "runs" (
    "org_id" UUID NOT NULL,
    "run_id" TEXT NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("org_id","run_id")
);


-- Backfill: every run seen so far, counted once on the rollup row of its first event (hours in UTC, as the workers do).
INSERT INTO "runs" ("org_id", "run_id", "first_seen")
SELECT "org_id", "run_id", min("timestamp") FROM "inference_events" WHERE "run_id" IS NOT NULL GROUP BY 1, 2;

WITH first AS (
  SELECT DISTINCT ON ("org_id", "run_id") "org_id", (date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "hour",
         "environment", "traffic_source", "workflow_id", "step", "call_type", coalesce("feature", '') AS "feature",
         coalesce("account_id", '') AS "account_id", coalesce("provider", '') AS "provider", coalesce("model", '') AS "model", "outcome"
  FROM "inference_events" WHERE "run_id" IS NOT NULL ORDER BY "org_id", "run_id", "timestamp", "event_id"
), agg AS (
  SELECT "org_id", "hour", "environment", "traffic_source", "workflow_id", "step", "call_type", "feature", "account_id", "provider", "model", "outcome", count(*) AS n
  FROM first GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
)
UPDATE "rollups_hourly" r SET "runs" = agg.n FROM agg
WHERE r."org_id" = agg."org_id" AND r."hour" = agg."hour" AND r."environment" = agg."environment" AND r."traffic_source" = agg."traffic_source"
  AND r."workflow_id" = agg."workflow_id" AND r."step" = agg."step" AND r."call_type" = agg."call_type" AND r."feature" = agg."feature"
  AND r."account_id" = agg."account_id" AND r."provider" = agg."provider" AND r."model" = agg."model" AND r."outcome" = agg."outcome";
