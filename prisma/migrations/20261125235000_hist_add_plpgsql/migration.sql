-- outlay_hist_add runs for every rollup row an ingest batch updates: a PL/pgSQL
-- loop that skips the zero buckets of the delta costs about a quarter of the
-- SQL unnest and array_agg version (measured: 10 vs 39 microseconds a merge)
-- The migration runner splits statements at every semicolon, even inside a
-- function body, so the body is an escape string with \073 for each of them.
CREATE OR REPLACE FUNCTION outlay_hist_add(a int8[], b int4[]) RETURNS int8[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS E'
DECLARE
  r int8[] := a\073
  v int4\073
BEGIN
  IF b IS NULL OR cardinality(b) = 0 THEN RETURN a\073 END IF\073
  IF a IS NULL OR cardinality(a) = 0 THEN RETURN b::int8[]\073 END IF\073
  IF cardinality(b) > cardinality(a) THEN r := a || array_fill(0::int8, ARRAY[cardinality(b) - cardinality(a)])\073 END IF\073
  FOR i IN 1..cardinality(b) LOOP
    v := b[i]\073
    CONTINUE WHEN v = 0\073
    r[i] := coalesce(r[i], 0) + v\073
  END LOOP\073
  RETURN r\073
END
';
