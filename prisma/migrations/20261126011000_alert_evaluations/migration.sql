-- The unpriced-model detector runs every evaluation (30 s) for every organization and reads only the
-- rollup rows with unpriced calls: a few, indexed alone with the query's own predicate, instead of
-- scanning 7 days of rollups (npm run bench:alerts: 2.9 s a read on the bench:dashboard dataset).
CREATE INDEX "rollups_hourly_unpriced_idx" ON "rollups_hourly" ("org_id", "hour") WHERE "unpriced_events" > 0;

-- The last complete hour the hourly detectors (cost per accepted outcome, input tokens per call, spend
-- anomaly) were evaluated at, per organization: their windows end at an hour, so they run once an hour.
CREATE TABLE "alert_evaluations" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_evaluations_pkey" PRIMARY KEY ("org_id")
);

ALTER TABLE "alert_evaluations" ADD CONSTRAINT "alert_evaluations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
