// Named SQL parameters: a statement written with `:name` placeholders and its
// values as { name: value } becomes PostgreSQL's `$n` text and values array,
// so a statement with many parameters doesn't tie each `$n` to a position in
// an array. A name used twice is one parameter. `::type` casts, quoted
// literals and identifiers, and `--` comments are left as they are.

const TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|:([A-Za-z_][A-Za-z0-9_]*)/g

/** `text` with `:name` placeholders → `{ text, values }` for pool().query; a placeholder without a value, or a value without a placeholder, throws. */
export function named(text: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const index = new Map<string, number>()
  const values: unknown[] = []
  const out = text.replace(TOKEN, (token, name: string | undefined) => {
    if (name === undefined) return token
    if (!Object.hasOwn(params, name)) throw new Error(`SQL parameter :${name} has no value`)
    let n = index.get(name)
    if (n === undefined) {
      values.push(params[name])
      n = values.length
      index.set(name, n)
    }
    return `$${n}`
  })
  const unused = Object.keys(params).filter((k) => !index.has(k))
  if (unused.length) throw new Error(`SQL parameters without a placeholder: ${unused.join(', ')}`)
  return { text: out, values }
}
