-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "prev_hash" TEXT,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_org_id_at_idx" ON "audit_log"("org_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_org_id_seq_key" ON "audit_log"("org_id", "seq");

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Append-only. First wall: the application role (and the cross-org role) may read and add rows, never
-- change or remove them. Second wall: a trigger refuses UPDATE and DELETE for every role, the owner
-- included: only a superuser disabling the trigger gets past it. The one DELETE it lets through is the
-- cascade of an organization's own deletion (the organization row is gone by then).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM outlay_app;

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''DELETE'' AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.org_id) THEN
    RETURN OLD\073
  END IF\073
  RAISE EXCEPTION ''audit_log is append-only: % refused'', TG_OP USING ERRCODE = ''42501''\073
END ';

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

SELECT outlay_protect('audit_log');
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM outlay_system;
