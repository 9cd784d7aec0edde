import { expect, test } from '@playwright/test'

// The API reference at /docs/api, rendered from GET /api/v1/openapi.json: every
// operation of the document is on the page, with its method and path.
test('the API reference lists every operation of the OpenAPI document', async ({ page, request }) => {
  const doc = await (await request.get('/api/v1/openapi.json')).json()
  expect(doc.openapi).toBe('3.1.0')
  const ops = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([p, m]) =>
    Object.entries(m).map(([method, op]) => ({ p, method, id: op.operationId })),
  )
  expect(ops.length).toBeGreaterThan(20)
  await page.goto('/docs/api')
  await expect(page.getByRole('heading', { level: 1, name: 'Outlay API reference' })).toBeVisible()
  await expect(page.getByText(`${ops.length} operations.`)).toBeVisible()
  for (const op of ops) await expect(page.locator(`article#${op.id}`)).toContainText(op.p)
  // the budgets list: its answer's fields, and the error shape
  const budgets = page.locator('article#getBudgets')
  await expect(budgets).toContainText('amount_usd')
  await expect(page.getByRole('heading', { name: 'Errors' })).toBeVisible()
})
