-- CreateTable
CREATE TABLE "routing_policies" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT '',
    "account_id" TEXT NOT NULL DEFAULT '',
    "published_version" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_policy_versions" (
    "policy_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "org_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "evidence" JSONB,
    "note" TEXT,
    "author" TEXT NOT NULL,
    "published_by" TEXT,
    "base_version" INTEGER,
    "rolled_back_from" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "routing_policy_versions_pkey" PRIMARY KEY ("policy_id","version")
);

-- CreateTable
CREATE TABLE "routing_defaults" (
    "org_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_defaults_pkey" PRIMARY KEY ("org_id","workflow_id")
);

-- CreateTable
CREATE TABLE "eval_results" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "eval_set" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "scores" JSONB NOT NULL,
    "sample_count" INTEGER NOT NULL,
    "cost_usd" DECIMAL(20,6),
    "event_id" TEXT,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "eval_results_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "routing_policies_org_id_idx" ON "routing_policies"("org_id");

-- CreateIndex
CREATE UNIQUE INDEX "routing_policies_org_id_workflow_id_step_environment_accoun_key" ON "routing_policies"("org_id", "workflow_id", "step", "environment", "account_id");

-- CreateIndex
CREATE INDEX "routing_policy_versions_org_id_idx" ON "routing_policy_versions"("org_id");

-- CreateIndex
CREATE INDEX "eval_results_org_id_workflow_id_step_run_at_idx" ON "eval_results"("org_id", "workflow_id", "step", "run_at");

-- AddForeignKey
ALTER TABLE "routing_policies" ADD CONSTRAINT "routing_policies_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_policy_versions" ADD CONSTRAINT "routing_policy_versions_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "routing_policies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_defaults" ADD CONSTRAINT "routing_defaults_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_results" ADD CONSTRAINT "eval_results_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one open draft per policy (published versions are never edited).
CREATE UNIQUE INDEX "routing_policy_versions_one_draft" ON "routing_policy_versions"("policy_id") WHERE "status" = 'draft';
