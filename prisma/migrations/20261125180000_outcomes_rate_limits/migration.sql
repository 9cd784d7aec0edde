-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "ingest_rate_limit" INTEGER;

-- CreateTable
CREATE TABLE "outcomes" (
    "org_id" UUID NOT NULL,
    "outcome_id" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT,
    "account_id" TEXT,
    "feature" TEXT,
    "accepted" BOOLEAN NOT NULL,
    "kind" TEXT,
    "batch_id" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outcomes_pkey" PRIMARY KEY ("org_id","outcome_id")
);

-- CreateTable
CREATE TABLE "rollups_outcomes_hourly" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "outcomes" BIGINT NOT NULL DEFAULT 0,
    "accepted" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_outcomes_hourly_pkey" PRIMARY KEY ("org_id","hour","workflow_id","feature","account_id","kind")
);

-- CreateIndex
CREATE INDEX "outcomes_org_id_timestamp_idx" ON "outcomes"("org_id", "timestamp");

