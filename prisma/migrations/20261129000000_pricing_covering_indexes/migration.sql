-- The pricing page reads unpriced models and provider-reported differences from the events themselves.
-- Both partial indexes now carry every column those reads use, so PostgreSQL answers them from the index
-- alone (an index-only scan) instead of fetching each indexed event from the table: on the 10M-event
-- bench organization 75k unpriced events sat on 67k table pages (640 ms), and 38k differing events of
-- 30 days took 1.5 s cold (npm run bench:dashboard, page pricing).
DROP INDEX IF EXISTS "inference_events_unpriced_idx";
CREATE INDEX "inference_events_unpriced_idx" ON "inference_events" ("org_id", "provider", "model", "timestamp") WHERE "cost_usd" IS NULL;
DROP INDEX IF EXISTS "inference_events_discrepancy_idx";
CREATE INDEX "inference_events_discrepancy_idx" ON "inference_events" ("org_id", "timestamp") INCLUDE ("provider", "model", "cost_usd", "reported_cost_usd")
  WHERE "reported_cost_usd" IS NOT NULL AND "cost_usd" IS NOT NULL AND abs("cost_usd" - "reported_cost_usd") > 0.01 * greatest("reported_cost_usd", "cost_usd");
