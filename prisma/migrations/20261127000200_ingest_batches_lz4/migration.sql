-- The JSON of a batch (about 50 KB for 100 events) is compressed when stored: lz4
-- costs a fraction of the CPU of the default pglz on the ingest path. Not
-- expressible in schema.prisma, kept here only.
ALTER TABLE "ingest_batches" ALTER COLUMN "payload" SET COMPRESSION lz4;
