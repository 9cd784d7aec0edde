-- CreateIndex
CREATE INDEX "rollups_hourly_org_id_hour_idx" ON "rollups_hourly"("org_id", "hour");

