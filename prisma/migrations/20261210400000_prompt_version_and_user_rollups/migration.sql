-- Spend by prompt version (the workflow page) and by end user (the account page, the accounts page), kept by the
-- ingest worker in its batch transaction (lib/rollups/keyed.ts) so neither view scans the events (issue 19).

-- Per workflow step, prompt version and run: the runs a step ran under a version (cost per run by version).
CREATE TABLE "prompt_version_runs" (
    "org_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "prompt_version" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,

    CONSTRAINT "prompt_version_runs_pkey" PRIMARY KEY ("org_id","workflow_id","step","prompt_version","run_id")
);

-- Calls that carry a prompt_version, per hour. runs: the (run, step, version) seen for the first time in that hour.
CREATE TABLE "rollups_hourly_prompts" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "prompt_version" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_hourly_prompts_pkey" PRIMARY KEY ("org_id","hour","environment","traffic_source","workflow_id","step","prompt_version")
);

CREATE TABLE "rollups_daily_prompts" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "prompt_version" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_daily_prompts_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","workflow_id","step","prompt_version")
);

-- Calls that carry a user_id, per hour (account_id '' when the call has none).
CREATE TABLE "rollups_hourly_users" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_hourly_users_pkey" PRIMARY KEY ("org_id","hour","environment","traffic_source","account_id","user_id")
);

CREATE TABLE "rollups_daily_users" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_daily_users_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","account_id","user_id")
);

-- The events already stored, by the same definitions.
INSERT INTO "prompt_version_runs" ("org_id", "workflow_id", "step", "prompt_version", "run_id")
SELECT DISTINCT "org_id", "workflow_id", "step", "prompt_version", "run_id" FROM "inference_events"
WHERE "prompt_version" IS NOT NULL AND "run_id" IS NOT NULL;

INSERT INTO "rollups_hourly_prompts" ("org_id", "hour", "environment", "traffic_source", "workflow_id", "step", "prompt_version",
    "events", "runs", "tokens_in", "cached_tokens_in", "tokens_out", "unpriced_events", "cost_usd")
SELECT "org_id", date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "environment", "traffic_source", "workflow_id", "step",
    "prompt_version", count(*), count(*) FILTER (WHERE "run_first"), sum("tokens_in"), sum("cached_tokens_in"), sum("tokens_out"),
    count(*) FILTER (WHERE "cost_usd" IS NULL), coalesce(sum("cost_usd"), 0)
FROM (
    SELECT e.*, ("run_id" IS NOT NULL AND row_number() OVER (PARTITION BY "org_id", "workflow_id", "step", "prompt_version", "run_id"
        ORDER BY "timestamp", "event_id" COLLATE "C") = 1) AS "run_first"
    FROM "inference_events" e WHERE "prompt_version" IS NOT NULL
) AS x
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "rollups_daily_prompts" ("org_id", "day", "environment", "traffic_source", "workflow_id", "step", "prompt_version",
    "events", "runs", "tokens_in", "cached_tokens_in", "tokens_out", "unpriced_events", "cost_usd")
SELECT "org_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "environment", "traffic_source", "workflow_id", "step",
    "prompt_version", sum("events"), sum("runs"), sum("tokens_in"), sum("cached_tokens_in"), sum("tokens_out"), sum("unpriced_events"), sum("cost_usd")
FROM "rollups_hourly_prompts" GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "rollups_hourly_users" ("org_id", "hour", "environment", "traffic_source", "account_id", "user_id",
    "events", "runs", "tokens_in", "cached_tokens_in", "tokens_out", "unpriced_events", "cost_usd")
SELECT "org_id", date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "environment", "traffic_source", coalesce("account_id", ''),
    "user_id", count(*), 0, sum("tokens_in"), sum("cached_tokens_in"), sum("tokens_out"), count(*) FILTER (WHERE "cost_usd" IS NULL),
    coalesce(sum("cost_usd"), 0)
FROM "inference_events" WHERE "user_id" IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO "rollups_daily_users" ("org_id", "day", "environment", "traffic_source", "account_id", "user_id",
    "events", "runs", "tokens_in", "cached_tokens_in", "tokens_out", "unpriced_events", "cost_usd")
SELECT "org_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "environment", "traffic_source", "account_id", "user_id",
    sum("events"), sum("runs"), sum("tokens_in"), sum("cached_tokens_in"), sum("tokens_out"), sum("unpriced_events"), sum("cost_usd")
FROM "rollups_hourly_users" GROUP BY 1, 2, 3, 4, 5, 6;

SELECT outlay_protect('prompt_version_runs');
SELECT outlay_protect('rollups_hourly_prompts');
SELECT outlay_protect('rollups_daily_prompts');
SELECT outlay_protect('rollups_hourly_users');
SELECT outlay_protect('rollups_daily_users');
