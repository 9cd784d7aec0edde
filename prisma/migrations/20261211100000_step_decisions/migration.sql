-- Saved decisions of a workflow step (lib/decision-record/decisions.ts, POST /api/v1/decision-record/decisions):
-- who chose which model, when, with a note, for which period, and the decision record as it was answered then
-- (that day's figures, kept as they were: later traffic or price changes never rewrite a decision).

-- CreateTable
CREATE TABLE "step_decisions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "chosen_model" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "decided_by_user_id" UUID,
    "decided_by" TEXT NOT NULL,
    "period_from" TIMESTAMPTZ(3) NOT NULL,
    "period_to" TIMESTAMPTZ(3) NOT NULL,
    "record" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "step_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "step_decisions_org_id_workflow_id_step_created_at_idx" ON "step_decisions"("org_id", "workflow_id", "step", "created_at");

-- AddForeignKey
ALTER TABLE "step_decisions" ADD CONSTRAINT "step_decisions_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "step_decisions" ADD CONSTRAINT "step_decisions_decided_by_user_id_fkey" FOREIGN KEY ("decided_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Behind the wall: an organization sees only its own decisions.
SELECT outlay_protect('step_decisions');
