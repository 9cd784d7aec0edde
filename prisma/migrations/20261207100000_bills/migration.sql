-- Provider and cloud bills for reconciliation (lib/bills, docs/finance.md): an import per (organization, source),
-- replaced whole on re-import, and its lines in micro-dollars.

-- CreateTable
CREATE TABLE "bill_imports" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lines" INTEGER NOT NULL,
    "total_micros" BIGINT NOT NULL,
    "rejected" INTEGER NOT NULL,
    "first_day" DATE,
    "last_day" DATE,

    CONSTRAINT "bill_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bill_lines" (
    "org_id" UUID NOT NULL,
    "import_id" UUID NOT NULL,
    "line_no" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT,
    "cost_micros" BIGINT NOT NULL,
    "description" TEXT,

    CONSTRAINT "bill_lines_pkey" PRIMARY KEY ("import_id", "line_no")
);

-- CreateIndex
CREATE UNIQUE INDEX "bill_imports_org_id_source_key" ON "bill_imports"("org_id", "source");

-- CreateIndex
CREATE INDEX "bill_lines_org_id_day_idx" ON "bill_lines"("org_id", "day");

-- AddForeignKey
ALTER TABLE "bill_imports" ADD CONSTRAINT "bill_imports_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bill_lines" ADD CONSTRAINT "bill_lines_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bill_lines" ADD CONSTRAINT "bill_lines_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "bill_imports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Behind the wall: an organization sees only its own bills.
SELECT outlay_protect('bill_imports');
SELECT outlay_protect('bill_lines');
