-- Workflows and features per hour (lib/rollups/tables.ts, HOURLY_NARROW_ROLLUPS): the hours of a read that groups
-- or filters by workflow, feature or outcome only (the workflow page's hourly latency and outcomes, a 24-hour
-- overview) come from here instead of rollups_hourly, a few hundred rows instead of every account, step and model.
-- Same key as rollups_daily_workflows. Every writer moves it with the other cost rollups (lib/rollups/hourly.ts).
CREATE TABLE "rollups_hourly_workflows" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "rollups_hourly_workflows_pkey" PRIMARY KEY ("org_id","hour","environment","traffic_source","workflow_id","feature","outcome")
);

-- one workflow's hours (the workflow page)
CREATE INDEX "rollups_hourly_workflows_org_id_workflow_id_hour_idx" ON "rollups_hourly_workflows"("org_id", "workflow_id", "hour");

-- what is there already, from rollups_hourly
INSERT INTO "rollups_hourly_workflows" (org_id, hour, environment, traffic_source, workflow_id, feature, outcome, events, runs, requests, tokens_in,
  cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum,
  latency_count, latency_hist)
SELECT org_id, hour, environment, traffic_source, workflow_id, feature, outcome, sum(events), sum(runs), sum(requests), sum(tokens_in),
  sum(cached_tokens_in), sum(cache_write_tokens), sum(tokens_out), sum(gpu_seconds), sum(unpriced_events), sum(cost_usd), sum(cache_savings_usd),
  sum(reported_cost_usd), sum(latency_ms_sum), sum(latency_count), coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
FROM "rollups_hourly"
GROUP BY org_id, hour, environment, traffic_source, workflow_id, feature, outcome;

SELECT outlay_protect('rollups_hourly_workflows');
