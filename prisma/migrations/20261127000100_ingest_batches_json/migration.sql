-- AlterTable
ALTER TABLE "ingest_batches" ALTER COLUMN "payload" SET DATA TYPE JSON;

