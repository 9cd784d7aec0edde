-- CreateTable
CREATE TABLE "budgets" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "environment" TEXT,
    "workflow_id" TEXT,
    "account_id" TEXT,
    "feature" TEXT,
    "traffic_sources" TEXT[] DEFAULT ARRAY['production']::TEXT[],
    "period" TEXT NOT NULL,
    "rolling_days" INTEGER,
    "metric" TEXT NOT NULL,
    "amount_usd" DECIMAL(20,6) NOT NULL,
    "thresholds" INTEGER[] DEFAULT ARRAY[50, 80, 100]::INTEGER[],
    "hard_cutoff" BOOLEAN NOT NULL DEFAULT false,
    "owner" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "budgets_org_id_idx" ON "budgets"("org_id");

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

