import { test, expect, apiSignIn } from './fixtures'
import { expectSorts } from './support/sorting'

// Settings → API keys: create with an expiry, see the creator and last use,
// rotate with the keyboard (new key shown once, old key valid until the chosen
// time), revoke with a confirmation; the keys answer accordingly.
test('create, rotate and revoke an API key from the settings page', async ({ page, request, consoleErrors }) => {
  const email = `keys-${Date.now()}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Keys ${Date.now()}`, email, password: 'keys-password-1' } })
  expect(signup.status()).toBe(201)
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'keys-password-1')
  await page.goto(`/${org_slug}/settings`)

  // a field error: no scope chosen
  await page.getByLabel('Name').fill('rotating')
  await page.getByLabel('ingest (send events)').uncheck()
  await page.getByRole('button', { name: 'Create key' }).click()
  await expect(page.getByText('choose at least one scope')).toBeVisible()
  consoleErrors.splice(0) // the browser logs the expected 400 itself

  await page.getByLabel('ingest (send events)').check()
  const expiry = new Date(Date.now() + 10 * 24 * 3600_000).toISOString().slice(0, 10)
  await page.getByLabel('Expires on').fill(expiry)
  await page.getByRole('button', { name: 'Create key' }).click()
  const oldKey = (await page.getByTestId('new-api-key').textContent())!.trim()
  expect(oldKey).toMatch(/^outlay_sk_[0-9A-Za-z]{49}$/)
  const oldRow = page.getByTestId(`api-key-${oldKey.slice(0, 18)}`)
  await expect(oldRow).toContainText(`by ${email}`)
  await expect(oldRow).toContainText('expires ')
  await expect(oldRow).toContainText('never') // not used yet

  const send = (key: string) =>
    request.post('/api/v1/events', {
      headers: { authorization: `Bearer ${key}` },
      data: { events: [{ id: `e-${Math.random()}`, workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1 }] },
    })
  expect((await send(oldKey)).status()).toBe(202)
  await page.reload()
  await expect(oldRow.getByRole('cell').nth(6)).not.toHaveText('never')

  // rotate with the keyboard only
  await oldRow.getByRole('button', { name: /^Rotate/ }).focus()
  await page.keyboard.press('Enter')
  const until = page.getByLabel('Old key works until')
  await expect(until).toBeFocused()
  await page.keyboard.press('Enter') // the default: 24 hours
  await expect(page.getByTestId('rotation-old-key-end')).toContainText(`The old key (${oldKey.slice(0, 18)}…) keeps working until`)
  const newKey = (await page.getByTestId('new-api-key').textContent())!.trim()
  expect(newKey).toMatch(/^outlay_sk_/)
  expect(newKey).not.toBe(oldKey)
  await expect(oldRow).toContainText('rotated; works until')
  const newRow = page.getByTestId(`api-key-${newKey.slice(0, 18)}`)
  await expect(newRow).toContainText('rotating')
  await expect(newRow).toContainText('ingest')
  expect((await send(oldKey)).status()).toBe(202) // the overlap
  expect((await send(newKey)).status()).toBe(202)

  // revoke the old key: Escape cancels, the confirmation revokes
  await oldRow.getByRole('button', { name: /^Revoke/ }).click()
  const confirm = oldRow.getByRole('button', { name: 'Revoke “rotating”', exact: true })
  await expect(confirm).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(confirm).toBeHidden()
  await expect(oldRow.getByRole('button', { name: /^Revoke/ })).toBeFocused()
  await page.keyboard.press('Enter')
  await oldRow.getByRole('button', { name: 'Revoke “rotating”', exact: true }).click()
  await expect(oldRow).toContainText('revoked')
  const refused = await send(oldKey)
  expect(refused.status()).toBe(401)
  expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } })
  expect((await send(newKey)).status()).toBe(202)

  // the keys sort by their columns (issue 21): by prefix, and the never-used key's "Last used" last either way
  const table = page.getByRole('table').filter({ has: newRow })
  await expectSorts(page, table, 'Key')
})
