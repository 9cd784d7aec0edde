-- AlterTable
ALTER TABLE "budgets" ADD COLUMN     "cutoff_action" TEXT NOT NULL DEFAULT 'throttle',
ADD COLUMN     "state" TEXT,
ADD COLUMN     "state_since" TIMESTAMPTZ(3),
ADD COLUMN     "throttle_per_minute" INTEGER NOT NULL DEFAULT 60;

-- CreateTable
CREATE TABLE "budget_state_changes" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "actual_usd" DECIMAL(20,6),
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_state_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "budget_state_changes_budget_id_at_idx" ON "budget_state_changes"("budget_id", "at");

-- AddForeignKey
ALTER TABLE "budget_state_changes" ADD CONSTRAINT "budget_state_changes_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

