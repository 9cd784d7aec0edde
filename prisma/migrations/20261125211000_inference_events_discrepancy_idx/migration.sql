-- The pricing page's provider-reported differences (lib/prices listDiscrepancies) read only the events
-- whose reported cost differs from ours by more than 1 per cent: a few per cent of the events, indexed alone
-- with the query's own predicate, instead of scanning every event of the period (npm run bench:dashboard).
CREATE INDEX "inference_events_discrepancy_idx" ON "inference_events" ("org_id", "timestamp")
  WHERE "reported_cost_usd" IS NOT NULL AND "cost_usd" IS NOT NULL AND abs("cost_usd" - "reported_cost_usd") > 0.01 * greatest("reported_cost_usd", "cost_usd");
