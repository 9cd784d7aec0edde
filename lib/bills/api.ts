import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZBillId, ZBillImport, ZBillImportAnswer, ZBillImportQuery, ZFocusExportQuery, ZReconciliationAnswer, ZReconciliationQuery } from '@/lib/bills/schema'

// The bills and reconciliation endpoints' contract (PRODUCT.md "Bills, reconciliation and margin"; docs/finance.md):
// bills imported and deleted with a "write" key or bills.write (finance, admin); read, and reconciled, with a
// "read" key or metrics.read (every role that sees the organization-wide views).

const TAG = 'Bills'
const READ = { tag: TAG, scope: 'read', permission: 'metrics.read' } as const
const WRITE = { tag: TAG, scope: 'write', permission: 'bills.write' } as const

/** Kept in step with lib/bills/import.ts (BILL_CSV_MAX_BYTES): this module stays client-safe. */
const CSV_MAX_BYTES = 1024 * 1024 * 1024

export const importBill = endpoint({
  method: 'POST',
  path: '/api/v1/bills',
  ...WRITE,
  summary: 'Import a provider or cloud bill',
  description:
    'The body is the file: text/csv (the simple CSV date,provider,model,cost_usd[,description], or a FOCUS export: BilledCost in BillingCurrency USD, ChargePeriodStart, ProviderName/ServiceProviderName/ServiceName, x_model/ResourceName/SkuId) streamed, or application/json (an OpenAI organization costs page or Anthropic cost report page, or an array of pages; up to 64 MB). The format is recognized from the CSV header or the JSON shape unless `format` says it. Importing a `source` again replaces its previous import, in one transaction. Lines that cannot be read are refused with their line number and reason; the others are kept. 400 when no line could be read (nothing changes).',
  query: ZBillImportQuery,
  body: {
    raw: {
      contentTypes: ['text/csv', 'text/plain', 'application/json'],
      maxBytes: CSV_MAX_BYTES,
      description: 'the bill file: CSV (simple or FOCUS, UTF-8), or an OpenAI/Anthropic cost report as JSON',
    },
  },
  responses: { 201: { description: 'The import with its totals, and the refused lines', schema: ZBillImportAnswer } },
})

export const listBills = endpoint({
  method: 'GET',
  path: '/api/v1/bills',
  ...READ,
  summary: 'The imported bills with their totals',
  responses: { 200: { description: 'Every import, newest first', schema: z.object({ imports: z.array(ZBillImport) }) } },
})

export const deleteBill = endpoint({
  method: 'DELETE',
  path: '/api/v1/bills/{id}',
  ...WRITE,
  summary: 'Delete an imported bill',
  params: ZBillId,
  responses: { 204: { description: 'Deleted, with its lines' } },
})

export const reconciliation = endpoint({
  method: 'GET',
  path: '/api/v1/reconciliation',
  ...READ,
  summary: 'Computed cost against the imported bills',
  description:
    'Per provider × model × day (or month) of the providers the bills cover, over each provider’s bills’ days: what Outlay computed from the events (the overview’s figures, every environment and traffic source), what the bills charge, the difference (billed − computed) and its ratio to the billed amount, flagged past 1%. Providers and models are compared normalised (lowercase; bedrock → aws; without a provider/ prefix or a dated snapshot suffix). The totals carry the billed spend no event explains (unexplained_usd, unexplained_share) and the computed cost no bill covers.',
  query: ZReconciliationQuery,
  responses: { 200: { description: 'The rows and their totals', schema: ZReconciliationAnswer } },
  example: { query: { from: '2026-11-01', to: '2026-12-01' } },
})

export const exportFocus = endpoint({
  method: 'GET',
  path: '/api/v1/exports/focus',
  ...READ,
  summary: 'Priced usage as a FOCUS CSV export',
  description:
    'Outlay’s computed cost as FOCUS 1.x cost and usage rows (the FinOps Open Cost and Usage Specification, as clouds export it), streamed: one row per provider × model × day (UTC) × attribution, BilledCost = EffectiveCost = ListCost = ContractedCost the computed cost in USD with 6 decimals, ChargeCategory Usage, ServiceCategory "AI and Machine Learning", ResourceName/ResourceId/SkuId/x_model the model, ConsumedQuantity/PricingQuantity the tokens (in + out; GPU-Seconds for self-hosted calls without tokens), and the attribution as x_workflow_id, x_step, x_account_id, x_feature, x_environment, x_traffic_source (with x_events, x_unpriced_events, x_tokens_in, x_tokens_out). Every environment and traffic source, as the reconciliation computes. Imported back with POST /api/v1/bills it reconciles to zero difference.',
  query: ZFocusExportQuery,
  responses: {
    200: {
      description: 'The FOCUS CSV (attachment)',
      alternates: [
        { contentType: 'text/csv', description: 'FOCUS 1.x columns, a header line then one line per provider × model × day × attribution, CRLF line ends' },
      ],
      headers: { 'content-disposition': 'attachment; filename="outlay-focus-<from>-<to>.csv"' },
    },
  },
  example: { query: { from: '2026-11-01', to: '2026-12-01' } },
})
