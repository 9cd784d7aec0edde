-- The account page's end users read one account's users over the range: its rows, not every user of the
-- organization (rollups_daily_users holds a row per user and day: 1.07M rows at 90 days on the 10M-event bench
-- organization, where the account's read took p50 315 ms at 90 days, npm run bench:dashboard -- --pages account).
CREATE INDEX "rollups_daily_users_account_idx" ON "rollups_daily_users" ("org_id", "account_id", "day");
CREATE INDEX "rollups_hourly_users_account_idx" ON "rollups_hourly_users" ("org_id", "account_id", "hour");
