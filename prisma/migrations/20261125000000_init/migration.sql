-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'engineer', 'finance', 'customer_success', 'viewer');

-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "org_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("org_id","user_id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "default_environment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_batches" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'events',
    "payload" JSONB NOT NULL,
    "event_count" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "inserted" INTEGER,

    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inference_events" (
    "org_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT,
    "step" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "feature" TEXT,
    "scenario_id" TEXT,
    "owner" TEXT,
    "account_id" TEXT,
    "user_id" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 1,
    "gpu_seconds" DECIMAL(20,6),
    "gpu_pool" TEXT,
    "outcome" TEXT NOT NULL,
    "attempt" INTEGER,
    "latency_ms" DOUBLE PRECISION,
    "cost_usd" DECIMAL(30,12),
    "cache_savings_usd" DECIMAL(30,12),
    "reported_cost_usd" DECIMAL(30,12),
    "input_hash" TEXT,
    "max_tokens" INTEGER,
    "metadata" JSONB,
    "batch_id" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inference_events_pkey" PRIMARY KEY ("org_id","event_id")
);

-- CreateTable
CREATE TABLE "rollups_hourly" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "environment" TEXT NOT NULL,
    "traffic_source" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens_in" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "gpu_seconds" DECIMAL(24,6) NOT NULL DEFAULT 0,
    "unpriced_events" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "cache_savings_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "reported_cost_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "latency_ms_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rollups_hourly_pkey" PRIMARY KEY ("org_id","hour","environment","traffic_source","workflow_id","step","call_type","feature","account_id","provider","model","outcome")
);

-- CreateTable
CREATE TABLE "prices" (
    "id" UUID NOT NULL,
    "org_id" UUID,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "input_per_mtok" DECIMAL(20,9) NOT NULL,
    "cached_input_per_mtok" DECIMAL(20,9),
    "cache_write_per_mtok" DECIMAL(20,9),
    "output_per_mtok" DECIMAL(20,9) NOT NULL,
    "per_request" DECIMAL(20,9),
    "tiers" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_pool_prices" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "pool" TEXT NOT NULL,
    "gpu_type" TEXT NOT NULL,
    "gpu_hour_usd" DECIMAL(20,9) NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gpu_pool_prices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_org_id_idx" ON "api_keys"("org_id");

-- CreateIndex
CREATE INDEX "ingest_batches_processed_at_received_at_idx" ON "ingest_batches"("processed_at", "received_at");

-- CreateIndex
CREATE INDEX "inference_events_org_id_timestamp_idx" ON "inference_events"("org_id", "timestamp");

-- CreateIndex
CREATE INDEX "inference_events_org_id_provider_model_timestamp_idx" ON "inference_events"("org_id", "provider", "model", "timestamp");

-- CreateIndex
CREATE INDEX "prices_org_id_provider_model_idx" ON "prices"("org_id", "provider", "model");

-- CreateIndex
CREATE UNIQUE INDEX "gpu_pool_prices_org_id_pool_effective_from_key" ON "gpu_pool_prices"("org_id", "pool", "effective_from");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One price per (organization or catalog, provider, model, effective_from);
-- the catalog's rows have org_id NULL, which must collide with each other too.
CREATE UNIQUE INDEX "prices_org_provider_model_effective_key"
  ON "prices" ("org_id", "provider", "model", "effective_from") NULLS NOT DISTINCT;

-- Batches still waiting for a worker: what the reconciler scans.
CREATE INDEX "ingest_batches_pending_idx" ON "ingest_batches" ("received_at") WHERE "processed_at" IS NULL;
