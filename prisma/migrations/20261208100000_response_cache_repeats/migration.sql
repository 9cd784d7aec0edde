-- Opportunities, response_cache (lib/opportunities): which calls repeat an input a response cache would have served,
-- kept by the ingest worker in its batch transaction so GET /api/v1/opportunities never scans the events.

-- Per workflow step and input_hash: its earliest call (by timestamp, then event id), at any time. A call of the same
-- step and input later than it is a repeat. The output hash of that first call is what a cache would have stored.
CREATE TABLE "input_hashes" (
    "org_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "first_event_id" TEXT NOT NULL,
    "first_output_hash" TEXT,

    CONSTRAINT "input_hashes_pkey" PRIMARY KEY ("org_id","workflow_id","step","input_hash")
);

-- Per workflow step and hour: the repeats (count, cost, how many had no price, how many returned the first call's
-- output_hash among those where both carry one), the repeats whose outcome is retry or error (the overlap with the
-- retries opportunity), and the calls that were an input's first.
CREATE TABLE "rollups_hourly_repeats" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "repeat_calls" BIGINT NOT NULL DEFAULT 0,
    "repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "repeat_unpriced" BIGINT NOT NULL DEFAULT 0,
    "output_compared" BIGINT NOT NULL DEFAULT 0,
    "output_matched" BIGINT NOT NULL DEFAULT 0,
    "waste_repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "first_calls" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_hourly_repeats_pkey" PRIMARY KEY ("org_id","hour","workflow_id","step")
);

-- The same per UTC day: a 90-day read sums a row per step and day, the hours at the range's edges come from the hourly table.
CREATE TABLE "rollups_daily_repeats" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "repeat_calls" BIGINT NOT NULL DEFAULT 0,
    "repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "repeat_unpriced" BIGINT NOT NULL DEFAULT 0,
    "output_compared" BIGINT NOT NULL DEFAULT 0,
    "output_matched" BIGINT NOT NULL DEFAULT 0,
    "waste_repeat_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "first_calls" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_daily_repeats_pkey" PRIMARY KEY ("org_id","day","workflow_id","step")
);

-- The events already stored: the same definitions, in SQL (the reference the integration test compares with).
INSERT INTO "input_hashes" ("org_id", "workflow_id", "step", "input_hash", "first_at", "first_event_id", "first_output_hash")
SELECT DISTINCT ON ("org_id", "workflow_id", "step", "input_hash") "org_id", "workflow_id", "step", "input_hash", "timestamp", "event_id", "output_hash"
FROM "inference_events" WHERE "input_hash" IS NOT NULL
ORDER BY "org_id", "workflow_id", "step", "input_hash", "timestamp", "event_id" COLLATE "C";

INSERT INTO "rollups_hourly_repeats" ("org_id", "hour", "workflow_id", "step", "repeat_calls", "repeat_cost_usd", "repeat_unpriced",
    "output_compared", "output_matched", "waste_repeat_cost_usd", "first_calls")
SELECT e."org_id", date_trunc('hour', e."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', e."workflow_id", e."step",
    count(*) FILTER (WHERE e."event_id" <> f."first_event_id"),
    coalesce(sum(e."cost_usd") FILTER (WHERE e."event_id" <> f."first_event_id"), 0),
    count(*) FILTER (WHERE e."event_id" <> f."first_event_id" AND e."cost_usd" IS NULL),
    count(*) FILTER (WHERE e."event_id" <> f."first_event_id" AND e."output_hash" IS NOT NULL AND f."first_output_hash" IS NOT NULL),
    count(*) FILTER (WHERE e."event_id" <> f."first_event_id" AND e."output_hash" = f."first_output_hash"),
    coalesce(sum(e."cost_usd") FILTER (WHERE e."event_id" <> f."first_event_id" AND e."outcome" IN ('retry', 'error')), 0),
    count(*) FILTER (WHERE e."event_id" = f."first_event_id")
FROM "inference_events" e
JOIN "input_hashes" f ON f."org_id" = e."org_id" AND f."workflow_id" = e."workflow_id" AND f."step" = e."step" AND f."input_hash" = e."input_hash"
GROUP BY 1, 2, 3, 4;

INSERT INTO "rollups_daily_repeats" ("org_id", "day", "workflow_id", "step", "repeat_calls", "repeat_cost_usd", "repeat_unpriced",
    "output_compared", "output_matched", "waste_repeat_cost_usd", "first_calls")
SELECT "org_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "workflow_id", "step", sum("repeat_calls"), sum("repeat_cost_usd"),
    sum("repeat_unpriced"), sum("output_compared"), sum("output_matched"), sum("waste_repeat_cost_usd"), sum("first_calls")
FROM "rollups_hourly_repeats" GROUP BY 1, 2, 3, 4;

SELECT outlay_protect('input_hashes');
SELECT outlay_protect('rollups_daily_repeats');
SELECT outlay_protect('rollups_hourly_repeats');
