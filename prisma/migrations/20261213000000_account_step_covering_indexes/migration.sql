-- The account page's 90-day reads, answered from indexes alone (index-only scans) instead of one table page per row.
--
-- One account's rows of rollups_daily_account_steps lie on as many table pages as there are rows (a day's rows of
-- every account are written together), so its 90 days (about 6,000 rows on the 10M-event bench organization) read
-- about 6,000 pages of 8 kB, each row 417 bytes wide with its latency histogram. The account index now carries what
-- the account's reads use (steps, environment, traffic source, calls, runs, cost), about 140 bytes an entry, in the
-- account's order. It replaces the index of the same key, so the ingest writes no extra index.
--
-- The step medians (GET /api/v1/metrics/step-medians, the Accounts list, the account_step_anomaly alert) sum every
-- account's calls and runs per step over the range's whole weeks: the weekly table's primary key now carries the
-- two sums, so that read is an index-only scan of the key instead of a scan of the whole table.
--
-- Prisma's schema cannot state INCLUDE: schema.prisma declares the same keys and names.
DROP INDEX IF EXISTS "rollups_daily_account_steps_org_id_account_id_day_idx";
CREATE INDEX "rollups_daily_account_steps_org_id_account_id_day_idx" ON "rollups_daily_account_steps" ("org_id", "account_id", "day")
  INCLUDE ("workflow_id", "step", "environment", "traffic_source", "events", "runs", "cost_usd");

ALTER TABLE "rollups_weekly_account_steps" DROP CONSTRAINT "rollups_weekly_account_steps_pkey",
  ADD CONSTRAINT "rollups_weekly_account_steps_pkey" PRIMARY KEY ("org_id", "week", "environment", "traffic_source", "workflow_id", "step", "account_id")
  INCLUDE ("events", "runs");
