-- Latency histograms on the hourly rollups (lib/metrics/latency.ts): calls per
-- log-scale bucket, four per doubling, bucket 0 under 1 ms, bucket 69 from 2^17 ms

-- AlterTable
ALTER TABLE "rollups_hourly" ADD COLUMN     "latency_hist" INTEGER[] DEFAULT ARRAY[]::INTEGER[];

-- The bucket of a latency in ms, as latencyBucket() computes it
CREATE FUNCTION outlay_latency_bucket(ms float8) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ms IS NULL OR NOT (ms >= 1) THEN 0 ELSE least(69, 1 + floor(4 * log(2::numeric, ms::numeric)))::int END
$$;

-- Element-wise sum of a running int8 histogram and a stored int4 one (NULL or empty: nothing to add)
CREATE FUNCTION outlay_hist_add(a int8[], b int4[]) RETURNS int8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN b IS NULL OR cardinality(b) = 0 THEN a
    WHEN a IS NULL OR cardinality(a) = 0 THEN b::int8[]
    ELSE (SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i))
  END
$$;

-- Sum of histograms over rows, NULL when none has a latency
CREATE AGGREGATE outlay_hist_sum(int4[]) (SFUNC = outlay_hist_add, STYPE = int8[]);

-- Backfill from the raw events already rolled up
WITH counts AS (
  SELECT org_id, date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, environment, traffic_source, workflow_id, step, call_type,
         coalesce(feature, '') AS feature, coalesce(account_id, '') AS account_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, outcome,
         outlay_latency_bucket(latency_ms) AS k, count(*)::int AS n
  FROM inference_events WHERE latency_ms IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
), hists AS (
  SELECT org_id, hour, environment, traffic_source, workflow_id, step, call_type, feature, account_id, provider, model, outcome,
         outlay_hist_sum(array_fill(0, ARRAY[k]) || n)::int4[] AS hist
  FROM counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
)
UPDATE rollups_hourly r SET latency_hist = h.hist
FROM hists h
WHERE r.org_id = h.org_id AND r.hour = h.hour AND r.environment = h.environment AND r.traffic_source = h.traffic_source
  AND r.workflow_id = h.workflow_id AND r.step = h.step AND r.call_type = h.call_type AND r.feature = h.feature
  AND r.account_id = h.account_id AND r.provider = h.provider AND r.model = h.model AND r.outcome = h.outcome;
