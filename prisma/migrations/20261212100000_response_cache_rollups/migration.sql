-- Issue 18: the response cache's effect in the cost rollups. Every cost rollup table (the hourly ones, daily, weekly) counts
-- the calls answered from a response cache (inference_events.response_cache_hit) and sums what they saved
-- (response_cache_savings_usd, the cost of the calls they repeat, same scale as cost_usd). The ingest worker keeps
-- them in its batch transaction (lib/rollups/hourly.ts), re-pricing never moves them (it leaves hits alone).
-- ADD COLUMN with a constant default rewrites no row.

ALTER TABLE "rollups_hourly" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_hourly_workflows" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily_models" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily_workflows" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily_accounts" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily_steps" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily_account_steps" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_daily" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_weekly_steps" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_weekly_account_steps" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;
ALTER TABLE "rollups_weekly" ADD COLUMN "response_cache_hits" BIGINT NOT NULL DEFAULT 0, ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0;

-- Backfill: the hits still stored (raw events past an organization's retention are gone, their rollups keep 0 here),
-- summed on the hourly row of their key (hours in UTC and absent dimensions as '', as the worker writes them), then
-- the narrow hourly table and each daily table from the hourly rows and each weekly table from its daily twin (as lib/rollups/rebuild.ts does).
-- Only rows with hits are read back and written.
WITH s AS (
  SELECT "org_id", (date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "hour", "environment", "traffic_source", "workflow_id", "step", "call_type", coalesce("feature", '') AS "feature", coalesce("account_id", '') AS "account_id", coalesce("provider", '') AS "provider", coalesce("model", '') AS "model", "outcome",
         count(*) AS "hits", coalesce(sum("response_cache_savings_usd"), 0) AS "savings"
  FROM "inference_events" WHERE "response_cache_hit" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
)
UPDATE "rollups_hourly" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."hour" = s."hour" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."call_type" = s."call_type" AND r."feature" = s."feature" AND r."account_id" = s."account_id" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", "hour", "environment", "traffic_source", "workflow_id", "feature", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7
)
UPDATE "rollups_hourly_workflows" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."hour" = s."hour" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."feature" = s."feature" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "provider", "model", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7
)
UPDATE "rollups_daily_models" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "workflow_id", "feature", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7
)
UPDATE "rollups_daily_workflows" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."feature" = s."feature" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "account_id", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6
)
UPDATE "rollups_daily_accounts" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."account_id" = s."account_id" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "workflow_id", "step", "call_type", "feature", "provider", "model", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
)
UPDATE "rollups_daily_steps" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."call_type" = s."call_type" AND r."feature" = s."feature" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "workflow_id", "step", "account_id",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7
)
UPDATE "rollups_daily_account_steps" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."account_id" = s."account_id";

WITH s AS (
  SELECT "org_id", (date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "day", "environment", "traffic_source", "workflow_id", "step", "call_type", "feature", "account_id", "provider", "model", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_hourly" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
)
UPDATE "rollups_daily" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."day" = s."day" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."call_type" = s."call_type" AND r."feature" = s."feature" AND r."account_id" = s."account_id" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('week', "day" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "week", "environment", "traffic_source", "workflow_id", "step", "call_type", "feature", "provider", "model", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_daily_steps" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
)
UPDATE "rollups_weekly_steps" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."week" = s."week" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."call_type" = s."call_type" AND r."feature" = s."feature" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";

WITH s AS (
  SELECT "org_id", (date_trunc('week', "day" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "week", "environment", "traffic_source", "workflow_id", "step", "account_id",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_daily_account_steps" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7
)
UPDATE "rollups_weekly_account_steps" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."week" = s."week" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."account_id" = s."account_id";

WITH s AS (
  SELECT "org_id", (date_trunc('week', "day" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS "week", "environment", "traffic_source", "workflow_id", "step", "call_type", "feature", "account_id", "provider", "model", "outcome",
         sum("response_cache_hits") AS "hits", sum("response_cache_savings_usd") AS "savings"
  FROM "rollups_daily" WHERE "response_cache_hits" > 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
)
UPDATE "rollups_weekly" r SET "response_cache_hits" = s."hits", "response_cache_savings_usd" = s."savings" FROM s
WHERE r."org_id" = s."org_id" AND r."week" = s."week" AND r."environment" = s."environment" AND r."traffic_source" = s."traffic_source" AND r."workflow_id" = s."workflow_id" AND r."step" = s."step" AND r."call_type" = s."call_type" AND r."feature" = s."feature" AND r."account_id" = s."account_id" AND r."provider" = s."provider" AND r."model" = s."model" AND r."outcome" = s."outcome";
