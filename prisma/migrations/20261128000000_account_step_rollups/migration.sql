-- CreateTable
CREATE TABLE "rollups_daily_account_steps" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "gpu_seconds" DECIMAL(24,6) NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "reported_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "latency_ms_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_count" BIGINT NOT NULL DEFAULT 0,
    "latency_hist" INTEGER[] DEFAULT ARRAY[]::INTEGER[],

    CONSTRAINT "rollups_daily_account_steps_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","workflow_id","step","account_id")
);

-- CreateTable
CREATE TABLE "rollups_weekly_account_steps" (
    "org_id" UUID NOT NULL,
    "week" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "runs" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "gpu_seconds" DECIMAL(24,6) NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "reported_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "latency_ms_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_count" BIGINT NOT NULL DEFAULT 0,
    "latency_hist" INTEGER[] DEFAULT ARRAY[]::INTEGER[],

    CONSTRAINT "rollups_weekly_account_steps_pkey" PRIMARY KEY ("org_id","week","environment","traffic_source","workflow_id","step","account_id")
);

-- CreateIndex
CREATE INDEX "rollups_daily_account_steps_org_id_day_idx" ON "rollups_daily_account_steps"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_account_steps_org_id_account_id_day_idx" ON "rollups_daily_account_steps"("org_id", "account_id", "day");

-- CreateIndex
CREATE INDEX "rollups_weekly_account_steps_org_id_account_id_week_idx" ON "rollups_weekly_account_steps"("org_id", "account_id", "week");

-- CreateIndex
CREATE INDEX "rollups_weekly_org_id_account_id_week_idx" ON "rollups_weekly"("org_id", "account_id", "week");


-- Filled from rollups_daily (the same sums over fewer dimensions), then the weeks from the days (ISO weeks, Monday 00:00 UTC).
INSERT INTO "rollups_daily_account_steps" (org_id, day, environment, traffic_source, workflow_id, step, account_id,
    events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd,
    reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
  SELECT org_id, day, environment, traffic_source, workflow_id, step, account_id,
    sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events),
    sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count), coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
  FROM "rollups_daily" GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "rollups_weekly_account_steps" (org_id, week, environment, traffic_source, workflow_id, step, account_id,
    events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd,
    reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
  SELECT org_id, date_trunc('week', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', environment, traffic_source, workflow_id, step, account_id,
    sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events),
    sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count), coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
  FROM "rollups_daily_account_steps" GROUP BY 1, 2, 3, 4, 5, 6, 7;
