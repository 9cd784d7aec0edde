-- Telemetry health (issue 19, lib/telemetry): where each event came from and which attribution fields Outlay filled
-- in because the sender left them out. Both set by the server at acceptance, never by the client.
--   source: "key:<api key id>" (POST /api/v1/events), "otel:<service.name>" (OTLP), "gateway", "member:<user id>"
--           (a signed-in member's POST), "evals" (eval results' calls). NULL for events stored before this column.
--   defaulted: the fields Outlay filled — "outcome" (absent: success), "workflow_id" / "step" (an OTLP span without
--           outlay.workflow_id nor service.name / without outlay.step, or a gateway call without its header). NULL: none.
-- Adding nullable columns without a default rewrites no partition.
ALTER TABLE "inference_events" ADD COLUMN "source" TEXT, ADD COLUMN "defaulted" TEXT[];
