-- The batches still waiting, by organization: what a group-commit transaction
-- claims (lib/ingest/process.ts). Partial, so it stays as small as the backlog
-- and is chosen before the table has statistics. Not expressible in
-- schema.prisma (no partial indexes): kept here only.
CREATE INDEX "ingest_batches_waiting_idx" ON "ingest_batches" ("org_id", "id") WHERE "processed_at" IS NULL;
