// npm run cli -- <command>: operator commands that need no browser.
import { parseArgs } from 'node:util'
import { loadEnv } from '@/lib/env'
import { closeDb } from '@/lib/db'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ZSignUp } from '@/lib/orgs/schema'
import { createApiKey } from '@/lib/auth/api-keys'
import { issuesToLines } from '@/lib/validation'
import { AppError } from '@/lib/errors'

const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => Promise<void> }> = {
  'org:create': {
    usage: 'org:create --name "Acme" --email admin@acme.test --password "at least 10 chars" [--json]',
    async run(argv) {
      const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, json: { type: 'boolean' } } })
      const parsed = ZSignUp.safeParse({ org_name: values.name, email: values.email, password: values.password })
      if (!parsed.success) throw new Error(`invalid arguments:\n  ${issuesToLines(parsed.error.issues).join('\n  ').replace(/org_name/g, 'name')}`)
      const { org } = await createOrgWithAdmin(parsed.data)
      const { key } = await createApiKey(org.id, { name: 'cli', scopes: ['ingest', 'read'] })
      const out = { org_id: org.id, org_slug: org.slug, api_key: key }
      if (values.json) console.log(JSON.stringify(out))
      else console.log(`Created organization ${org.slug} (${org.id})\nAdmin: ${parsed.data.email}\nAPI key (ingest, read), shown once: ${key}`)
    },
  },
}

function help(): string {
  return `Usage: npm run cli -- <command> [options]\n\nCommands:\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}`
}

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2)
  const cmd = name ? COMMANDS[name] : undefined
  if (!cmd) {
    console.error(name && name !== '--help' ? `Unknown command "${name}".\n\n${help()}` : help())
    return name && name !== '--help' ? 2 : 0
  }
  loadEnv()
  try {
    await cmd.run(rest)
    return 0
  } catch (e) {
    console.error(`error: ${e instanceof AppError || e instanceof Error ? e.message : String(e)}`)
    return 1
  } finally {
    await closeDb()
  }
}

main().then((code) => process.exit(code))
