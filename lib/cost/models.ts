// Model names as real traffic sends them: "gpt-4o-2024-08-06", "openai/gpt-4o",
// "GPT-4o", "claude-sonnet-4-5-20250929". Find the catalog key they mean.

const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/

export function resolveModelKey(provider: string | null, model: string, has: (key: string) => boolean): string | null {
  let m = model.trim().toLowerCase()
  let p = (provider ?? '').trim().toLowerCase()
  const slash = m.indexOf('/')
  if (slash > 0) {
    // "openai/gpt-4o": the prefix names the provider when none was sent.
    if (!p) p = m.slice(0, slash)
    m = m.slice(slash + 1)
  }
  const tries = [m]
  let stripped = m
  while (DATE_SUFFIX.test(stripped)) {
    stripped = stripped.replace(DATE_SUFFIX, '')
    tries.push(stripped)
  }
  for (const t of tries) {
    const key = `${p}/${t}`
    if (has(key)) return key
  }
  return null
}
