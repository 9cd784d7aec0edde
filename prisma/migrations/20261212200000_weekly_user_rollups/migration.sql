-- rollups_daily_users per ISO week (Monday 00:00 UTC), kept by the same writers (lib/rollups/keyed.ts). The account
-- page's end users over 90 days read about 150k daily user rows of one account on the 10M-event bench organization
-- (the page's slowest request, 165-198 ms late in the day), the whole weeks from here read far fewer.
CREATE TABLE "rollups_weekly_users" (
    "org_id" UUID NOT NULL,
    "week" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "rollups_weekly_users_pkey" PRIMARY KEY ("org_id","week","environment","traffic_source","account_id","user_id")
);

CREATE INDEX "rollups_weekly_users_account_idx" ON "rollups_weekly_users" ("org_id", "account_id", "week");

-- The days already kept, by the same definition.
INSERT INTO "rollups_weekly_users" ("org_id", "week", "environment", "traffic_source", "account_id", "user_id",
    "events", "runs", "tokens_in", "cached_tokens_in", "tokens_out", "unpriced_events", "cost_usd")
SELECT "org_id", date_trunc('week', "day" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "environment", "traffic_source", "account_id", "user_id",
    sum("events"), sum("runs"), sum("tokens_in"), sum("cached_tokens_in"), sum("tokens_out"), sum("unpriced_events"), sum("cost_usd")
FROM "rollups_daily_users" GROUP BY 1, 2, 3, 4, 5, 6;

SELECT outlay_protect('rollups_weekly_users');
