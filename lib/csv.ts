// CSV as RFC 4180 reads it (comma separated, CRLF line ends, quotes doubled),
// safe to open in a spreadsheet: a text cell that would start a formula is
// prefixed with an apostrophe. Numbers written as decimal strings stay numbers.

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/
const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/

/** One cell: null/undefined → empty; quoted only when it must be. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  // "=HYPERLINK(…)" as an account id must not run in Excel; "-1.500000" is a number, left alone.
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows of cells → CSV text, CRLF after every row. */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('')
}
