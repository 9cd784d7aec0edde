import { expect, type Locator, type Page } from '@playwright/test'

// The sort check every table shares (issue 21): a header's button sorts the rows by the column's value — largest
// first for figures, A→Z for text, nulls last — and a second press flips it; aria-sort names the direction.

/** A cell's value as the page shows it: a figure ($1,234.50, 12.5%, 1.2 s, 3×, 1.2K) as a number, "—" / empty as nothing, else the text. */
function cellValue(text: string): number | string | null {
  const t = text.replace(/\s+/g, ' ').trim()
  if (t === '' || t === '—' || t === 'never' || /^no (eval|price)/.test(t) || t === 'unpriced') return null
  const m = /^([+\-−])?\$?(\d[\d,]*(?:\.\d+)?)\s*(K|M|B|ms|s|%|×)?(?![\w-])/.exec(t)
  if (!m) return t
  const scale = { K: 1e3, M: 1e6, B: 1e9, s: 1e3, ms: 1, '%': 1, '×': 1 }[m[3] ?? ''] ?? 1
  return (m[1] === '-' || m[1] === '−' ? -1 : 1) * Number(m[2].replace(/,/g, '')) * scale
}

const inOrder = (values: (number | string | null)[], dir: 'ascending' | 'descending') => {
  const present = values.filter((v) => v !== null)
  // nulls last whichever the direction
  expect(
    values.slice(present.length).every((v) => v === null),
    `nulls last: ${JSON.stringify(values)}`,
  ).toBe(true)
  for (let i = 1; i < present.length; i++) {
    const [a, b] = [present[i - 1]!, present[i]!]
    const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' })
    expect(dir === 'ascending' ? c <= 0 : c >= 0, `${dir} at ${i}: ${JSON.stringify(present)}`).toBe(true)
  }
}

/** Press a column's header twice: each time aria-sort names the direction and the rows are in it by that column. */
export async function expectSorts(page: Page, table: Locator, header: string, opts: { skipRow?: string } = {}) {
  const th = table.locator('thead th[aria-sort]').filter({ has: page.getByRole('button', { name: header, exact: true }) })
  await expect(th).toHaveCount(1)
  const column = await th.evaluate((el) => (el as HTMLTableCellElement).cellIndex)
  const values = async () =>
    (
      await table
        .locator(':scope > tbody > tr')
        .evaluateAll(
          (trs, [i, skip]) =>
            trs.filter((tr) => !skip || tr.getAttribute('data-key') !== skip).map((tr) => (tr as HTMLTableRowElement).cells[i as number]?.textContent ?? ''),
          [column, opts.skipRow ?? ''] as const,
        )
    ).map(cellValue)
  expect((await values()).length, `${header}: rows to sort`).toBeGreaterThan(1)
  const button = th.getByRole('button', { name: header, exact: true })
  const before = (await th.getAttribute('aria-sort')) as string
  await button.click()
  await expect(th).not.toHaveAttribute('aria-sort', before === 'none' ? 'none' : before)
  const first = (await th.getAttribute('aria-sort')) as 'ascending' | 'descending'
  const one = await values()
  inOrder(one, first)
  await button.click()
  const second = first === 'ascending' ? 'descending' : 'ascending'
  await expect(th).toHaveAttribute('aria-sort', second)
  const two = await values()
  inOrder(two, second)
  // the same values, the other way round (nulls stay last)
  const present = (v: typeof one) => v.filter((x) => x !== null)
  expect(present(two)).toEqual([...present(one)].reverse())
}
