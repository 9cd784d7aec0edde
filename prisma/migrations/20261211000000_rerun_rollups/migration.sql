-- Opportunities, retries: the calls that re-ran a workflow step after it had succeeded in the same run (the
-- restart-from-the-top waste), kept by the ingest worker in its batch transaction (lib/opportunities/reruns-db.ts)
-- so GET /api/v1/opportunities never scans the events.
--
-- A call X with a run_id is a re-run when its run, workflow and step have a call with outcome 'success' before it
-- (by timestamp, then event id) at most 24 hours earlier. Re-runs whose own outcome is retry or error are left out
-- (the retries opportunity counts them already). Per workflow step and hour of X: the re-runs, their cost, how many
-- had no price, and the cost of those that also repeat an earlier input of the step (counted by response_cache too).
CREATE TABLE "rollups_hourly_reruns" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "rerun_calls" BIGINT NOT NULL DEFAULT 0,
    "rerun_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "rerun_unpriced" BIGINT NOT NULL DEFAULT 0,
    "rerun_repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_hourly_reruns_pkey" PRIMARY KEY ("org_id","hour","workflow_id","step")
);

-- The same per UTC day: a 90-day read sums a row per step and day, the hours at the range's edges come from the hourly table.
CREATE TABLE "rollups_daily_reruns" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "rerun_calls" BIGINT NOT NULL DEFAULT 0,
    "rerun_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "rerun_unpriced" BIGINT NOT NULL DEFAULT 0,
    "rerun_repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_daily_reruns_pkey" PRIMARY KEY ("org_id","day","workflow_id","step")
);

-- The events already stored: the same definition in SQL (lib/opportunities/reruns.ts, RERUN_SQL).
INSERT INTO "rollups_hourly_reruns" ("org_id", "hour", "workflow_id", "step", "rerun_calls", "rerun_cost_usd", "rerun_unpriced", "rerun_repeat_cost_usd")
SELECT x."org_id", date_trunc('hour', x."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', x."workflow_id", x."step",
    count(*), coalesce(sum(x."cost_usd"), 0), count(*) FILTER (WHERE x."cost_usd" IS NULL),
    coalesce(sum(x."cost_usd") FILTER (WHERE h."first_event_id" IS NOT NULL AND h."first_event_id" <> x."event_id"), 0)
FROM "inference_events" x
LEFT JOIN "input_hashes" h ON h."org_id" = x."org_id" AND h."workflow_id" = x."workflow_id" AND h."step" = x."step" AND h."input_hash" = x."input_hash"
WHERE x."run_id" IS NOT NULL AND x."outcome" NOT IN ('retry', 'error')
  AND EXISTS (
    SELECT 1 FROM "inference_events" s
    WHERE s."org_id" = x."org_id" AND s."run_id" = x."run_id" AND s."workflow_id" = x."workflow_id" AND s."step" = x."step"
      AND s."outcome" = 'success'
      AND s."timestamp" >= x."timestamp" - interval '24 hours'
      AND (s."timestamp", s."event_id" COLLATE "C") < (x."timestamp", x."event_id" COLLATE "C"))
GROUP BY 1, 2, 3, 4;

INSERT INTO "rollups_daily_reruns" ("org_id", "day", "workflow_id", "step", "rerun_calls", "rerun_cost_usd", "rerun_unpriced", "rerun_repeat_cost_usd")
SELECT "org_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "workflow_id", "step",
    sum("rerun_calls"), sum("rerun_cost_usd"), sum("rerun_unpriced"), sum("rerun_repeat_cost_usd")
FROM "rollups_hourly_reruns" GROUP BY 1, 2, 3, 4;

SELECT outlay_protect('rollups_daily_reruns');
SELECT outlay_protect('rollups_hourly_reruns');
