-- The migration runner splits statements at every semicolon, even inside a function body or a DO block,
-- so each body is an escape string with \073 for each of its semicolons.
-- Row-level security: the database as a second wall between tenants (PRODUCT.md "Database roles").
--
-- Migrations run as the owner of the tables. The application (web, workers, CLI) connects as
-- outlay_app: it owns nothing, cannot bypass row-level security, and declares the organization it
-- works for on its connection (outlay.org_id, set by lib/db.ts from the request's or job's tenant).
-- Every table with an org_id column has RLS ENABLEd and FORCEd with the policy "tenant": a query
-- that forgets its org_id filter returns nothing, and a write for another organization fails.
--
-- The few reads that must cross organizations (an API key by its hash before its organization is
-- known, a user's memberships, the reconciler's scan of waiting batches…) are SECURITY DEFINER
-- functions owned by outlay_system, a role that cannot log in and whose only power is the
-- "system" policy below: each function states exactly what it returns.
--
-- A new table with an org_id calls SELECT outlay_protect('<table>') in its migration,
-- lib/tenancy.integration.test.ts fails for a table without the policy.

DO E'
BEGIN
  BEGIN
    CREATE ROLE outlay_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS\073
  EXCEPTION WHEN duplicate_object THEN NULL\073 -- roles are per cluster: another database of this cluster made it
  END\073
  BEGIN
    CREATE ROLE outlay_system NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS\073
  EXCEPTION WHEN duplicate_object THEN NULL\073
  END\073
  -- The migrating role must be able to hand functions to outlay_system (a superuser always can).
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format(''GRANT outlay_system TO %I'', current_user)\073
  END IF\073
END ';

GRANT USAGE ON SCHEMA public TO outlay_app, outlay_system;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO outlay_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO outlay_app;
REVOKE ALL ON TABLE _prisma_migrations FROM outlay_app;
-- Tables and sequences created by later migrations (run by this same owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO outlay_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO outlay_app;

-- The organization the current transaction works for, NULL when none is declared.
CREATE OR REPLACE FUNCTION outlay_org() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS E' SELECT nullif(current_setting(''outlay.org_id'', true), '''')::uuid ';

-- Put a table with an org_id behind the wall.
CREATE OR REPLACE FUNCTION outlay_protect(t regclass) RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  EXECUTE format(''ALTER TABLE %s ENABLE ROW LEVEL SECURITY'', t)\073
  EXECUTE format(''ALTER TABLE %s FORCE ROW LEVEL SECURITY'', t)\073
  EXECUTE format(''DROP POLICY IF EXISTS tenant ON %s'', t)\073
  EXECUTE format(''CREATE POLICY tenant ON %s USING (org_id = outlay_org()) WITH CHECK (org_id = outlay_org())'', t)\073
  EXECUTE format(''DROP POLICY IF EXISTS system ON %s'', t)\073
  EXECUTE format(''CREATE POLICY system ON %s TO outlay_system USING (true) WITH CHECK (true)'', t)\073
  EXECUTE format(''GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO outlay_system'', t)\073
END ';

DO E'
DECLARE t regclass\073
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ''org_id'' AND NOT a.attisdropped
    WHERE c.relkind IN (''r'', ''p'') AND c.relnamespace = ''public''::regnamespace
  LOOP
    PERFORM outlay_protect(t)\073
  END LOOP\073
END ';

GRANT SELECT ON organizations, users TO outlay_system;

-- ---------------------------------------------------------------------------------------------
-- The reads that cross organizations. Each is SECURITY DEFINER, owned by outlay_system, with a
-- fixed search_path, and each returns only what its caller needs.

-- An API key by the sha256 of its secret: whoever holds the secret may learn its organization.
CREATE OR REPLACE FUNCTION outlay_api_key_by_hash(key_hash text) RETURNS SETOF api_keys
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT * FROM api_keys WHERE hash = key_hash ';

-- A signed-in user's memberships (the organization switcher, sign-in's landing page).
CREATE OR REPLACE FUNCTION outlay_memberships_of(uid uuid) RETURNS TABLE (org_id uuid, role "Role", created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT m.org_id, m.role, m.created_at FROM memberships m WHERE m.user_id = uid ';

-- The organization of an ingest batch (an ingest job carries only the batch id).
CREATE OR REPLACE FUNCTION outlay_batch_org(batch_id bigint) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT org_id FROM ingest_batches WHERE id = batch_id ';

-- The reconciler: batches accepted but still waiting after older_than_s seconds.
CREATE OR REPLACE FUNCTION outlay_pending_batches(older_than_s float8, max_rows int) RETURNS TABLE (id bigint, org_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT b.id, b.org_id FROM ingest_batches b WHERE b.processed_at IS NULL AND b.received_at < now() - make_interval(secs => older_than_s)
        ORDER BY b.received_at LIMIT max_rows ';

-- Processed batches are kept a day for audit, then dropped.
CREATE OR REPLACE FUNCTION outlay_prune_processed_batches(older_than_h int) RETURNS bigint
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS E' WITH d AS (DELETE FROM ingest_batches WHERE processed_at < now() - make_interval(hours => older_than_h) RETURNING 1) SELECT count(*) FROM d ';

-- The whole system's ingest backlog and pace (back-pressure is shared by every tenant's workers).
CREATE OR REPLACE FUNCTION outlay_queue_lag() RETURNS TABLE (pending_batches bigint, pending_events bigint, oldest_s float8, recent_events bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT count(*), coalesce(sum(event_count), 0)::bigint, EXTRACT(EPOCH FROM now() - min(received_at))::float8,
          (SELECT coalesce(sum(event_count), 0) FROM ingest_batches WHERE processed_at > now() - interval ''10 seconds'')::bigint
        FROM ingest_batches WHERE processed_at IS NULL ';

-- Each organization's share of the backlog bound (lib/ingest/limits.ts): events waiting, per organization.
CREATE OR REPLACE FUNCTION outlay_pending_events_by_org() RETURNS TABLE (org_id uuid, events bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT b.org_id, sum(b.event_count)::bigint FROM ingest_batches b WHERE b.processed_at IS NULL GROUP BY b.org_id ';

-- /api/metrics/prometheus: how long accepted batches waited for a worker, over the last 5 minutes.
CREATE OR REPLACE FUNCTION outlay_ingest_freshness() RETURNS TABLE (p50 float8, p99 float8)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM processed_at - received_at)),
          percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM processed_at - received_at))
        FROM ingest_batches WHERE processed_at > now() - interval ''5 minutes'' ';

-- The organization of a re-pricing job (its queue job carries only the id).
CREATE OR REPLACE FUNCTION outlay_reprice_job_org(job_id bigint) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT org_id FROM reprice_jobs WHERE id = job_id ';

-- The reconciler: re-pricing jobs queued or running for longer than older_than_s seconds.
CREATE OR REPLACE FUNCTION outlay_pending_reprice_jobs(older_than_s float8, max_rows int) RETURNS TABLE (id bigint, org_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT j.id, j.org_id FROM reprice_jobs j WHERE j.status IN (''queued'', ''running'') AND j.created_at < now() - make_interval(secs => older_than_s)
        ORDER BY j.id LIMIT max_rows ';

-- The alert evaluation: notification deliveries still pending (Redis lost their job).
CREATE OR REPLACE FUNCTION outlay_pending_deliveries(older_than timestamptz, max_rows int) RETURNS TABLE (id bigint, org_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT d.id, d.org_id FROM notification_deliveries d WHERE d.status = ''pending'' AND d.created_at < older_than ORDER BY d.id LIMIT max_rows ';

DO E'
DECLARE f regprocedure\073
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = ''public''::regnamespace AND p.prosecdef AND p.proname LIKE ''outlay\\_%''
  LOOP
    EXECUTE format(''ALTER FUNCTION %s OWNER TO outlay_system'', f)\073
    EXECUTE format(''REVOKE ALL ON FUNCTION %s FROM PUBLIC'', f)\073
    EXECUTE format(''GRANT EXECUTE ON FUNCTION %s TO outlay_app'', f)\073
  END LOOP\073
END ';
