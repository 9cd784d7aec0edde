-- Revenue per customer account and month (lib/accounts, docs/finance.md "Margin per customer account"): what each
-- account paid, in integer micro-dollars, against which its AI cost is held. PUT /api/v1/accounts/revenue upserts
-- one row per (account, month), the month being its first day.

-- CreateTable
CREATE TABLE "account_revenue" (
    "org_id" UUID NOT NULL,
    "account_id" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "revenue_micros" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_revenue_pkey" PRIMARY KEY ("org_id", "account_id", "month"),
    CONSTRAINT "account_revenue_month_first_day" CHECK (extract(day FROM "month") = 1)
);

-- CreateIndex
CREATE INDEX "account_revenue_org_id_month_idx" ON "account_revenue"("org_id", "month");

-- AddForeignKey
ALTER TABLE "account_revenue" ADD CONSTRAINT "account_revenue_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Behind the wall: an organization sees only its own revenue.
SELECT outlay_protect('account_revenue');
