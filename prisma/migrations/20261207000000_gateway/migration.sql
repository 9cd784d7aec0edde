-- The gateway (lib/gateway): each organization's upstream providers, their keys sealed at rest, and the
-- event fields a gateway call fills beside the ingest contract's (output_hash, prompt_version).

-- IF NOT EXISTS: another change adds the same two event columns
ALTER TABLE "inference_events" ADD COLUMN IF NOT EXISTS "output_hash" TEXT;
ALTER TABLE "inference_events" ADD COLUMN IF NOT EXISTS "prompt_version" TEXT;

-- CreateTable
CREATE TABLE "gateway_providers" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "api_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_providers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gateway_providers_org_id_provider_key" ON "gateway_providers"("org_id", "provider");

-- AddForeignKey
ALTER TABLE "gateway_providers" ADD CONSTRAINT "gateway_providers_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Behind the wall: an organization sees only its own upstreams and keys.
SELECT outlay_protect('gateway_providers');

-- The Gateway page's live list of recent calls (GET /api/v1/gateway/calls): gateway events are marked in their
-- metadata, and are a sliver of an organization's events
CREATE INDEX "inference_events_gateway_idx" ON "inference_events" ("org_id", "timestamp" DESC) WHERE "metadata" ? 'outlay.gateway';
