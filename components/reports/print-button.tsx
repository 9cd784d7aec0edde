'use client'
import { Button } from '@/components/ui'

/** Opens the browser's print dialog (the page's print stylesheet leaves out navigation and controls). */
export function PrintButton() {
  return (
    <Button type="button" variant="secondary" onClick={() => window.print()}>
      Print
    </Button>
  )
}
