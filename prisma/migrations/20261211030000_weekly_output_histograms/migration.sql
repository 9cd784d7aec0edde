-- The output-size histograms summed per ISO week (Monday 00:00 UTC), as the widest cost rollups have a weekly twin:
-- a 90-day read of the uncapped_output opportunity sums 13 weeks of rows instead of 90 days (npm run bench:dashboard).
CREATE TABLE "rollups_weekly_outputs" (
    "org_id" UUID NOT NULL,
    "week" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "max_tokens" INTEGER NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_max" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_hist" INTEGER[] NOT NULL DEFAULT '{}',

    CONSTRAINT "rollups_weekly_outputs_pkey" PRIMARY KEY ("org_id","week","workflow_id","step","provider","model","max_tokens")
);

INSERT INTO "rollups_weekly_outputs" ("org_id", "week", "workflow_id", "step", "provider", "model", "max_tokens", "calls", "tokens_out_max", "tokens_out_hist")
SELECT "org_id", date_trunc('week', "day" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "workflow_id", "step", "provider", "model", "max_tokens",
    sum("calls"), max("tokens_out_max"), coalesce(outlay_hist_sum("tokens_out_hist")::int4[], '{}')
FROM "rollups_daily_outputs" GROUP BY 1, 2, 3, 4, 5, 6, 7;

SELECT outlay_protect('rollups_weekly_outputs');
