-- AlterTable
ALTER TABLE "budgets" ADD COLUMN     "channel_ids" UUID[] DEFAULT ARRAY[]::UUID[];

-- Budget alerts become the one alerts list (budget and drift): renamed in place so ids and history stay.
ALTER TABLE "budget_alerts" RENAME TO "alerts";
ALTER TABLE "alerts" RENAME CONSTRAINT "budget_alerts_pkey" TO "alerts_pkey";
ALTER TABLE "alerts" RENAME CONSTRAINT "budget_alerts_budget_id_fkey" TO "alerts_budget_id_fkey";
ALTER SEQUENCE "budget_alerts_id_seq" RENAME TO "alerts_id_seq";
ALTER INDEX "budget_alerts_org_id_fired_at_idx" RENAME TO "alerts_org_id_fired_at_idx";
ALTER INDEX "budget_alerts_budget_id_period_start_threshold_key" RENAME TO "alerts_budget_id_period_start_threshold_key";

ALTER TABLE "alerts"
    ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'budget',
    ADD COLUMN "source_key" TEXT,
    ADD COLUMN "dedupe_key" TEXT,
    ADD COLUMN "subject" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "title" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "details" JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN "muted" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
    ALTER COLUMN "budget_id" DROP NOT NULL,
    ALTER COLUMN "threshold" DROP NOT NULL,
    ALTER COLUMN "actual_usd" DROP NOT NULL,
    ALTER COLUMN "amount_usd" DROP NOT NULL;

-- The keys lib/budgets/alerts.ts writes: budget:<id> and budget:<id>:<period start, ISO>:<threshold>
UPDATE "alerts" a SET
    "source_key" = 'budget:' || a."budget_id",
    "dedupe_key" = 'budget:' || a."budget_id" || ':' || to_char(a."period_start" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ':' || a."threshold",
    "subject" = b."name"
FROM "budgets" b WHERE b."id" = a."budget_id";

ALTER TABLE "alerts" ALTER COLUMN "source_key" SET NOT NULL, ALTER COLUMN "dedupe_key" SET NOT NULL;

-- CreateTable
CREATE TABLE "alert_mutes" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "source_key" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "until" TIMESTAMPTZ(3) NOT NULL,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_mutes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_channels" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "emails" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_default" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "alert_id" BIGINT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_attempts" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status_code" INTEGER,
    "ok" BOOLEAN NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "error" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alerts_org_id_dedupe_key_key" ON "alerts"("org_id", "dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "alert_mutes_org_id_source_key_key" ON "alert_mutes"("org_id", "source_key");

-- CreateIndex
CREATE INDEX "notification_channels_org_id_idx" ON "notification_channels"("org_id");

-- CreateIndex
CREATE INDEX "notification_deliveries_org_id_channel_id_created_at_idx" ON "notification_deliveries"("org_id", "channel_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notification_deliveries_alert_id_channel_id_key" ON "notification_deliveries"("alert_id", "channel_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_attempts_delivery_id_attempt_key" ON "notification_attempts"("delivery_id", "attempt");

-- AddForeignKey
ALTER TABLE "alert_mutes" ADD CONSTRAINT "alert_mutes_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_attempts" ADD CONSTRAINT "notification_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "notification_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

