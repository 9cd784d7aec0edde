import { describe, expect, test } from 'vitest'
import { csvCell, toCsv } from '@/lib/csv'

describe('csvCell', () => {
  test('plain text and numbers are written as they are', () => {
    expect(csvCell('acme-corp')).toBe('acme-corp')
    expect(csvCell('1234.500000')).toBe('1234.500000')
    expect(csvCell(42)).toBe('42')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell('')).toBe('')
  })

  test('commas, quotes, line breaks and edge spaces are quoted; quotes doubled', () => {
    expect(csvCell('Acme, Inc.')).toBe('"Acme, Inc."')
    expect(csvCell('the "big" one')).toBe('"the ""big"" one"')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"')
    expect(csvCell(' padded')).toBe('" padded"')
    expect(csvCell('padded ')).toBe('"padded "')
  })

  test('text that would start a spreadsheet formula is defused; negative numbers are not', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+1 555')).toBe("'+1 555")
    expect(csvCell('@sum')).toBe("'@sum")
    expect(csvCell('-cmd')).toBe("'-cmd")
    expect(csvCell('-12.500000')).toBe('-12.500000')
    expect(csvCell('+3')).toBe('+3')
  })
})

describe('toCsv', () => {
  test('rows joined by commas, each ended by CRLF', () => {
    expect(
      toCsv([
        ['account', 'spend_usd'],
        ['a,b', '1.000000'],
        ['(no account)', '0.000001'],
      ]),
    ).toBe('account,spend_usd\r\n"a,b",1.000000\r\n(no account),0.000001\r\n')
  })

  test('no rows, no text', () => {
    expect(toCsv([])).toBe('')
  })
})
