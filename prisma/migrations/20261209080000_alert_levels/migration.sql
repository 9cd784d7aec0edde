-- One budget breach is one alert whose level rises (50 → 80 → 100%), not one alert per threshold (issue 21).
-- A delivery is per alert × channel × level, so each rise is notified once.
ALTER TABLE "notification_deliveries" ADD COLUMN "level" INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS "notification_deliveries_alert_id_channel_id_key";
CREATE UNIQUE INDEX "notification_deliveries_alert_id_channel_id_level_key" ON "notification_deliveries"("alert_id", "channel_id", "level");
