-- CreateTable
CREATE TABLE "gpu_pools" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "gpu_type" TEXT NOT NULL,
    "region" TEXT,
    "serves" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allocation" TEXT NOT NULL DEFAULT 'gpu_seconds',
    "shares" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gpu_pools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_pool_versions" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "gpu_count" INTEGER NOT NULL,
    "pricing" TEXT NOT NULL,
    "gpu_hour_usd" DECIMAL(20,9),
    "purchase_usd_per_gpu" DECIMAL(20,6),
    "amortization_months" INTEGER,
    "power_hosting_usd_per_gpu_hour" DECIMAL(20,9),
    "effective_gpu_hour_usd" DECIMAL(20,9) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gpu_pool_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_samples" (
    "org_id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "gpu_index" INTEGER NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "utilization_pct" DOUBLE PRECISION NOT NULL,
    "memory_used_mib" DOUBLE PRECISION,

    CONSTRAINT "gpu_samples_pkey" PRIMARY KEY ("org_id","pool_id","gpu_index","ts")
);

-- CreateTable
CREATE TABLE "gpu_util_hourly" (
    "org_id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 0,
    "util_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "util_max" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "mem_samples" INTEGER NOT NULL DEFAULT 0,
    "mem_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "gpu_util_hourly_pkey" PRIMARY KEY ("org_id","pool_id","hour")
);

-- CreateTable
CREATE TABLE "scenario_line_items" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "scenario" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "category" TEXT NOT NULL,
    "amount_usd" DECIMAL(20,6) NOT NULL,
    "note" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenario_line_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gpu_pools_org_id_name_key" ON "gpu_pools"("org_id", "name");

-- CreateIndex
CREATE INDEX "gpu_pool_versions_org_id_pool_id_idx" ON "gpu_pool_versions"("org_id", "pool_id");

-- CreateIndex
CREATE UNIQUE INDEX "gpu_pool_versions_pool_id_effective_from_key" ON "gpu_pool_versions"("pool_id", "effective_from");

-- CreateIndex
CREATE INDEX "scenario_line_items_org_id_month_idx" ON "scenario_line_items"("org_id", "month");

-- AddForeignKey
ALTER TABLE "gpu_pools" ADD CONSTRAINT "gpu_pools_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_pool_versions" ADD CONSTRAINT "gpu_pool_versions_pool_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "gpu_pools"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenario_line_items" ADD CONSTRAINT "scenario_line_items_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

