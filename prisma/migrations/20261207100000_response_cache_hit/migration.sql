-- A call answered from a response cache (the gateway's, or a caller's own): priced at 0 by the ingest worker,
-- with what it saved, the cost of the call it repeats (an Outlay extension of the event: docs/gateway.md).
-- ADD COLUMN with a constant default rewrites no row.
ALTER TABLE "inference_events" ADD COLUMN "response_cache_hit" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "inference_events" ADD COLUMN "response_cache_savings_usd" DECIMAL(30,12);
