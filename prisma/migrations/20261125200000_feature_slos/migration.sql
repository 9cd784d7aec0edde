-- CreateTable
CREATE TABLE "feature_slos" (
    "org_id" UUID NOT NULL,
    "feature" TEXT NOT NULL,
    "target_usd_per_action" DECIMAL(20,9) NOT NULL,
    "unit" TEXT NOT NULL DEFAULT 'run',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" UUID,

    CONSTRAINT "feature_slos_pkey" PRIMARY KEY ("org_id","feature")
);

-- AddForeignKey
ALTER TABLE "feature_slos" ADD CONSTRAINT "feature_slos_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

