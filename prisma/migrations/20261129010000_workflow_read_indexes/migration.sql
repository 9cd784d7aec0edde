-- CreateIndex
CREATE INDEX "rollups_weekly_steps_org_id_workflow_id_week_idx" ON "rollups_weekly_steps"("org_id", "workflow_id", "week");

-- CreateIndex
CREATE INDEX "rollups_daily_workflows_org_id_workflow_id_day_idx" ON "rollups_daily_workflows"("org_id", "workflow_id", "day");

