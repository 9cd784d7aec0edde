-- Opportunities, uncapped_output (lib/opportunities/output-hist.ts): each workflow step's output sizes without the raw
-- events. Per step, model (provider, model: '' when absent) and max_tokens (0: none) and per hour and UTC day: the
-- calls (embeddings left out), their largest output and a histogram of their output tokens. Bucket i (1-based) holds
-- the calls whose tokens_out is at least the i-th value of the ARRAY below and less than the next (every size below
-- 16 exactly, then 8 buckets per doubling), trailing zero buckets trimmed. Kept by the ingest worker in its batch
-- transaction (lib/opportunities/output-hist-db.ts).
CREATE TABLE "rollups_hourly_outputs" (
    "org_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "max_tokens" INTEGER NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_max" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_hist" INTEGER[] NOT NULL DEFAULT '{}',

    CONSTRAINT "rollups_hourly_outputs_pkey" PRIMARY KEY ("org_id","hour","workflow_id","step","provider","model","max_tokens")
);

CREATE TABLE "rollups_daily_outputs" (
    "org_id" UUID NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "max_tokens" INTEGER NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_max" BIGINT NOT NULL DEFAULT 0,
    "tokens_out_hist" INTEGER[] NOT NULL DEFAULT '{}',

    CONSTRAINT "rollups_daily_outputs_pkey" PRIMARY KEY ("org_id","day","workflow_id","step","provider","model","max_tokens")
);

-- The events already stored, bucketed the same way.
INSERT INTO "rollups_hourly_outputs" ("org_id", "hour", "workflow_id", "step", "provider", "model", "max_tokens", "calls", "tokens_out_max", "tokens_out_hist")
SELECT "org_id", "hour", "workflow_id", "step", "provider", "model", "max_tokens", sum("n"), max("mx"),
    coalesce(outlay_hist_sum(array_fill(0, ARRAY["b" - 1]) || "n"::int4)::int4[], '{}')
FROM (
    SELECT "org_id", date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "hour", "workflow_id", "step",
        coalesce("provider", '') AS "provider", coalesce("model", '') AS "model", coalesce("max_tokens", 0) AS "max_tokens",
        width_bucket("tokens_out", ARRAY[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,19,21,23,25,27,29,32,35,38,41,45,49,54,59,64,70,76,83,91,99,108,117,128,140,152,166,181,197,215,235,256,279,304,332,362,395,431,470,512,558,609,664,724,790,861,939,1024,1117,1218,1328,1448,1579,1722,1878,2048,2233,2435,2656,2896,3158,3444,3756,4096,4467,4871,5312,5793,6317,6889,7512,8192,8933,9742,10624,11585,12634,13777,15024,16384,17867,19484,21247,23170,25268,27554,30048,32768,35734,38968,42495,46341,50535,55109,60097,65536,71468,77936,84990,92682,101070,110218,120194,131072,142935,155872,169979,185364,202141,220436,240387,262144,285870,311744,339959,370728,404281,440872,480774,524288,571740,623487,679917,741455,808563,881744,961548,1048576,1143480,1246974,1359835,1482910,1617125,1763488,1923097,2097152,2286960,2493948,2719670,2965821,3234251,3526975,3846194,4194304,4573921,4987896,5439339,5931642,6468501,7053950,7692387,8388608,9147842,9975792,10878679,11863283,12937002,14107901,15384775,16777216]::int8[]) AS "b", count(*) AS "n", max("tokens_out") AS "mx"
    FROM "inference_events" WHERE "call_type" <> 'embedding'
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
) AS x
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "rollups_daily_outputs" ("org_id", "day", "workflow_id", "step", "provider", "model", "max_tokens", "calls", "tokens_out_max", "tokens_out_hist")
SELECT "org_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "workflow_id", "step", "provider", "model", "max_tokens",
    sum("calls"), max("tokens_out_max"), coalesce(outlay_hist_sum("tokens_out_hist")::int4[], '{}')
FROM "rollups_hourly_outputs" GROUP BY 1, 2, 3, 4, 5, 6, 7;

SELECT outlay_protect('rollups_daily_outputs');
SELECT outlay_protect('rollups_hourly_outputs');
