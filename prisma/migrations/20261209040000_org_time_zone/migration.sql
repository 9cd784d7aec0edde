-- The organization's time zone (IANA name): every page shows dates and times in it. UTC until an admin changes it.
ALTER TABLE "organizations" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'UTC';
