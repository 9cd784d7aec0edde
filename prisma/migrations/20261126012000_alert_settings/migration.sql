-- An organization's drift detector settings (margins, minimum counts, anomaly threshold), merged over the defaults.
CREATE TABLE "alert_settings" (
    "org_id" UUID NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_settings_pkey" PRIMARY KEY ("org_id")
);

ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
