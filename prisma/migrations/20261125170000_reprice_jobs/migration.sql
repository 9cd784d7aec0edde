-- CreateTable
CREATE TABLE "reprice_jobs" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "provider" TEXT,
    "model" TEXT,
    "gpu_pool" TEXT,
    "from_ts" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "reprice_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reprice_jobs_org_id_created_at_idx" ON "reprice_jobs"("org_id", "created_at");


-- The pricing page lists unpriced models: keep that scan small (no semicolons in comments: the migration runner splits on them).
CREATE INDEX "inference_events_unpriced_idx" ON "inference_events" ("org_id", "provider", "model") WHERE "cost_usd" IS NULL;
