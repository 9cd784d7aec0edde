-- CreateTable
CREATE TABLE "budget_alerts" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "actual_usd" DECIMAL(20,6) NOT NULL,
    "amount_usd" DECIMAL(20,6) NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "budget_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "budget_alerts_org_id_fired_at_idx" ON "budget_alerts"("org_id", "fired_at");

-- CreateIndex
CREATE UNIQUE INDEX "budget_alerts_budget_id_period_start_threshold_key" ON "budget_alerts"("budget_id", "period_start", "threshold");

-- AddForeignKey
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

