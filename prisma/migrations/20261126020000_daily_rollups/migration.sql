-- Daily rollups (lib/rollups/daily.ts): rollups_hourly summed per UTC day over fewer dimensions, so a
-- 30- or 90-day page sums thousands of rows instead of millions. Kept by the same writers as rollups_hourly.

-- CreateTable
CREATE TABLE "rollups_daily" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
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

    CONSTRAINT "rollups_daily_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","workflow_id","step","call_type","feature","account_id","provider","model","outcome")
);

-- CreateTable
CREATE TABLE "rollups_daily_steps" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
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

    CONSTRAINT "rollups_daily_steps_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","workflow_id","step","call_type","feature","provider","model","outcome")
);

-- CreateTable
CREATE TABLE "rollups_daily_workflows" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
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

    CONSTRAINT "rollups_daily_workflows_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","workflow_id","feature","outcome")
);

-- CreateTable
CREATE TABLE "rollups_daily_models" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
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

    CONSTRAINT "rollups_daily_models_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","provider","model","outcome")
);

-- CreateTable
CREATE TABLE "rollups_daily_accounts" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
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

    CONSTRAINT "rollups_daily_accounts_pkey" PRIMARY KEY ("org_id","day","environment","traffic_source","account_id","outcome")
);

-- CreateTable
CREATE TABLE "rollups_outcomes_daily" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "outcomes" BIGINT NOT NULL DEFAULT 0,
    "accepted" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_outcomes_daily_pkey" PRIMARY KEY ("org_id","day","workflow_id","feature","account_id")
);

-- CreateTable
CREATE TABLE "rollups_outcomes_daily_workflows" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "outcomes" BIGINT NOT NULL DEFAULT 0,
    "accepted" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_outcomes_daily_workflows_pkey" PRIMARY KEY ("org_id","day","workflow_id","feature")
);

-- CreateIndex
CREATE INDEX "rollups_daily_org_id_day_idx" ON "rollups_daily"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_org_id_account_id_day_idx" ON "rollups_daily"("org_id", "account_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_steps_org_id_day_idx" ON "rollups_daily_steps"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_steps_org_id_workflow_id_day_idx" ON "rollups_daily_steps"("org_id", "workflow_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_workflows_org_id_day_idx" ON "rollups_daily_workflows"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_models_org_id_day_idx" ON "rollups_daily_models"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_accounts_org_id_day_idx" ON "rollups_daily_accounts"("org_id", "day");

-- CreateIndex
CREATE INDEX "rollups_daily_accounts_org_id_account_id_day_idx" ON "rollups_daily_accounts"("org_id", "account_id", "day");

-- CreateIndex
CREATE INDEX "rollups_outcomes_daily_org_id_account_id_day_idx" ON "rollups_outcomes_daily"("org_id", "account_id", "day");


-- Backfill from the hourly rollups, never the raw events: rollups_daily in one pass over rollups_hourly,
-- then each narrower table from rollups_daily (about a third of the rows). Sums of exact numerics are exact,
-- so a day of a daily table equals the sum of its 24 hourly rows to the last decimal.
SET work_mem = '256MB';
INSERT INTO rollups_daily (org_id, day, environment, traffic_source, workflow_id, step, call_type, feature, account_id, provider, model, outcome, events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
SELECT org_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', environment, traffic_source, workflow_id, step, call_type, feature, account_id, provider, model, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count),
       coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;

INSERT INTO rollups_daily_steps (org_id, day, environment, traffic_source, workflow_id, step, call_type, feature, provider, model, outcome, events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
SELECT org_id, day, environment, traffic_source, workflow_id, step, call_type, feature, provider, model, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count),
       coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM rollups_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;

INSERT INTO rollups_daily_workflows (org_id, day, environment, traffic_source, workflow_id, feature, outcome, events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
SELECT org_id, day, environment, traffic_source, workflow_id, feature, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count),
       coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM rollups_daily GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO rollups_daily_models (org_id, day, environment, traffic_source, provider, model, outcome, events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
SELECT org_id, day, environment, traffic_source, provider, model, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count),
       coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM rollups_daily GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO rollups_daily_accounts (org_id, day, environment, traffic_source, account_id, outcome, events, runs, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, latency_hist)
SELECT org_id, day, environment, traffic_source, account_id, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in), sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd), sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count),
       coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM rollups_daily GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO rollups_outcomes_daily (org_id, day, workflow_id, feature, account_id, outcomes, accepted)
SELECT org_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', workflow_id, feature, account_id, sum(outcomes), sum(accepted)
FROM rollups_outcomes_hourly GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollups_outcomes_daily_workflows (org_id, day, workflow_id, feature, outcomes, accepted)
SELECT org_id, day, workflow_id, feature, sum(outcomes), sum(accepted) FROM rollups_outcomes_daily GROUP BY 1, 2, 3, 4;

ANALYZE rollups_daily;
ANALYZE rollups_daily_steps;
ANALYZE rollups_daily_workflows;
ANALYZE rollups_daily_models;
ANALYZE rollups_daily_accounts;
ANALYZE rollups_outcomes_daily;
ANALYZE rollups_outcomes_daily_workflows;
