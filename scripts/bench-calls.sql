-- The Calls explorer's benchmark table (docs/benchmarks/calls.md): run in a throwaway database migrated with
-- `prisma migrate deploy` (never a shared one). One large organization of 1.2M events over 30 days (runs of 1-8
-- calls, 400 accounts, 12 workflows with skewed traffic and one rare, 4 steps each, 8 models, 5% unpriced, a mix
-- of outcomes) and a second organization of 200k events beside it.
SELECT setseed(0.21);
INSERT INTO organizations (id, name, slug) VALUES
  ('00000000-0000-0000-0000-0000000000b1', 'Bench big', 'bench-big'),
  ('00000000-0000-0000-0000-0000000000b2', 'Bench small', 'bench-small')
ON CONFLICT DO NOTHING;
WITH runs AS (
  SELECT r, CASE WHEN r <= 280000 THEN '00000000-0000-0000-0000-0000000000b1' ELSE '00000000-0000-0000-0000-0000000000b2' END::uuid AS org_id,
         now() - random() * interval '30 days' AS t0,
         CASE WHEN random() < 0.001 THEN 'wf-rare' ELSE 'wf-' || floor(12 * power(random(), 2))::int END AS workflow_id,
         'acct-' || floor(400 * power(random(), 1.5))::int AS account_id,
         1 + floor(random() * 8)::int AS n
  FROM generate_series(1, 330000) r
), calls AS (
  SELECT runs.*, k, random() AS x, random() AS y FROM runs, generate_series(1, runs.n) k
)
INSERT INTO inference_events (org_id, event_id, "timestamp", environment, traffic_source, workflow_id, run_id, step, call_type, feature,
  account_id, provider, model, tokens_in, tokens_out, outcome, attempt, latency_ms, cost_usd, batch_id)
SELECT org_id, 'ev-' || r || '-' || k, t0 + k * interval '1.7 seconds',
  CASE WHEN x < 0.9 THEN 'production' ELSE 'staging' END,
  CASE WHEN y < 0.85 THEN 'production' WHEN y < 0.95 THEN 'eval' ELSE 'replay' END,
  workflow_id, 'run-' || r, 'step-' || (k % 4), 'generation', 'feature-' || (r % 9), account_id,
  CASE WHEN (r + k) % 8 < 5 THEN 'openai' ELSE 'anthropic' END, 'model-' || ((r + k) % 8),
  (200 + x * 3000)::bigint, (50 + y * 800)::bigint,
  CASE WHEN x < 0.9 THEN 'success' WHEN x < 0.95 THEN 'retry' WHEN x < 0.97 THEN 'fallback' WHEN x < 0.99 THEN 'error' ELSE 'escalation' END,
  CASE WHEN x >= 0.9 AND x < 0.95 THEN 2 ELSE 1 END, 100 + y * 4000,
  CASE WHEN ((r + k) % 20) = 0 THEN NULL ELSE round((0.0001 + x * y * 0.05)::numeric, 12) END, 1
FROM calls;
ANALYZE inference_events;
