// npm run cli -- <command>: operator commands that need no browser.
import 'server-only'
import { parseArgs } from 'node:util'
import { loadEnvConfig } from '@next/env'
import { loadEnv } from '@/lib/env'
import { asOrg, closeDb, prisma } from '@/lib/db'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ZSignUp } from '@/lib/orgs/schema'
import { createApiKey, ZCreateApiKey } from '@/lib/auth/api-keys'
import { issuesToLines } from '@/lib/validation'
import { AppError } from '@/lib/errors'
import { asActor, CLI_ACTOR } from '@/lib/audit/actor'
import { recordAudit, verifyAuditChain } from '@/lib/audit'
import { addMember } from '@/lib/members'
import { ZDeliverableEmail, ZNewPassword } from '@/lib/auth/schema'
import { ZRole } from '@/lib/members/schema'

const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => Promise<void> }> = {
  'org:create': {
    usage: 'org:create --name "Acme" --email admin@acme.test --password "at least 10 chars" [--scopes ingest,read[,write]] [--json]',
    async run(argv) {
      const { values } = parseArgs({
        args: argv,
        options: { name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
      })
      const parsed = ZSignUp.safeParse({ org_name: values.name, email: values.email, password: values.password })
      if (!parsed.success)
        throw new Error(
          `invalid arguments:\n  ${issuesToLines(parsed.error.issues)
            .join('\n  ')
            .replace(/org_name/g, 'name')}`,
        )
      const scopes = (values.scopes ?? 'ingest,read').split(',').map((x) => x.trim())
      const keyInput = ZCreateApiKey.safeParse({ name: 'cli', scopes })
      if (!keyInput.success) throw new Error(`--scopes: ${issuesToLines(keyInput.error.issues)[0].replace(/^scopes(\.\d+)?: /, '')}`)
      const { org } = await createOrgWithAdmin(parsed.data)
      const { key } = await asOrg(org.id, () => createApiKey(org.id, keyInput.data, { label: 'cli' }))
      const out = { org_id: org.id, org_slug: org.slug, api_key: key }
      if (values.json) console.log(JSON.stringify(out))
      else
        console.log(
          `Created organization ${org.slug} (${org.id})\nAdmin: ${parsed.data.email}\nAPI key (${keyInput.data.scopes.join(', ')}), shown once: ${key}`,
        )
    },
  },
  'org:set-rate-limit': {
    usage: 'org:set-rate-limit --org <slug> --events-per-second N   (0: back to the default INGEST_RATE_LIMIT)',
    async run(argv) {
      const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, 'events-per-second': { type: 'string' } } })
      const n = Number(values['events-per-second'])
      if (!values.org) throw new Error('--org: is required')
      if (!Number.isInteger(n) || n < 0) throw new Error('--events-per-second: must be an integer ≥ 0')
      const org = await prisma().organization.findUnique({ where: { slug: values.org }, select: { id: true } })
      if (!org) throw new Error(`--org: no organization with slug "${values.org}"`)
      await asOrg(org.id, () =>
        prisma().$transaction(async (tx) => {
          const before = await tx.organization.findUniqueOrThrow({ where: { id: org.id }, select: { ingestRateLimit: true } })
          await tx.organization.update({ where: { id: org.id }, data: { ingestRateLimit: n === 0 ? null : n } })
          await recordAudit(tx, org.id, {
            action: 'organization.set_rate_limit',
            target: { type: 'organization', id: org.id },
            before: { ingest_rate_limit: before.ingestRateLimit },
            after: { ingest_rate_limit: n === 0 ? null : n },
          })
        }),
      )
      console.log(
        n === 0
          ? `${values.org}: ingest limit back to the default`
          : `${values.org}: ingest limited to ${n} events per second (burst ${2 * n}); API keys pick it up within 30 s`,
      )
    },
  },
  'audit:verify': {
    usage: "audit:verify --org <slug>   (walks the audit log's hash chain; exits 1 naming the first bad row)",
    async run(argv) {
      const { values } = parseArgs({ args: argv, options: { org: { type: 'string' } } })
      if (!values.org) throw new Error('--org: is required')
      const org = await prisma().organization.findUnique({ where: { slug: values.org }, select: { id: true } })
      if (!org) throw new Error(`--org: no organization with slug "${values.org}"`)
      const r = await asOrg(org.id, () => verifyAuditChain(org.id))
      if (!r.ok) throw new Error(`audit log of ${values.org}: row ${r.bad.seq} (id ${r.bad.id}): ${r.bad.reason}; the ${r.rows} row(s) before it verify`)
      console.log(`audit log of ${values.org}: ${r.rows} row(s), hash chain intact`)
    },
  },
  'member:add': {
    usage:
      'member:add --org <slug> --email <e> --role admin|engineer|finance|customer_success|viewer [--password <p>] [--name <n>]   (creates the user, verified, if needed)',
    async run(argv) {
      const { values } = parseArgs({
        args: argv,
        options: { org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
      })
      if (!values.org) throw new Error('--org: is required')
      const email = ZDeliverableEmail.safeParse(values.email ?? '')
      if (!email.success) throw new Error(`--email: ${values.email ? email.error.issues[0].message : 'is required'}`)
      const role = ZRole.safeParse(values.role)
      if (!role.success) throw new Error(`--role: ${role.error.issues[0].message}`)
      if (values.password !== undefined) {
        const p = ZNewPassword.safeParse(values.password)
        if (!p.success) throw new Error(`--password: ${p.error.issues[0].message}`)
      }
      const org = await prisma().organization.findUnique({ where: { slug: values.org }, select: { id: true, slug: true } })
      if (!org) throw new Error(`--org: no organization with slug "${values.org}"`)
      const r = await asOrg(org.id, () => addMember(org.id, { email: email.data, role: role.data, password: values.password, name: values.name }))
      console.log(`${r.member.email} is ${r.member.role.replace('_', ' ')} of ${org.slug}${r.createdUser ? ' (new account, email verified)' : ''}`)
      if (r.password) console.log(`Password (shown once; they can change it under Account): ${r.password}`)
    },
  },
}

function help(): string {
  return `Usage: npm run cli -- <command> [options]\n\nCommands:\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join('\n')}`
}

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2)
  const cmd = name ? COMMANDS[name] : undefined
  if (!cmd) {
    console.error(name && name !== '--help' ? `Unknown command "${name}".\n\n${help()}` : help())
    return name && name !== '--help' ? 2 : 0
  }
  // The same .env files as the app (Next.js reads them with this library: .env.local, .env, and the
  // development or production variants), under the environment, which wins. The CLI signs no session:
  // NEXTAUTH_SECRET is not required (lib/env.ts, profile 'cli').
  loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production', { info: () => undefined, error: console.error })
  loadEnv(process.env, 'cli')
  try {
    // changes made here are recorded as the CLI's (lib/audit/actor.ts)
    await asActor(CLI_ACTOR, () => cmd.run(rest))
    return 0
  } catch (e) {
    console.error(`error: ${e instanceof AppError || e instanceof Error ? e.message : String(e)}`)
    return 1
  } finally {
    await closeDb()
  }
}

main().then((code) => process.exit(code))
