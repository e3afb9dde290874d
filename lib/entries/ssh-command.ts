// ssh-command: the forced command of every key. Reads the client's command from SSH_ORIGINAL_COMMAND,
// splits it without a shell, looks the verb up in the table and runs it; errors become one line and an exit code.
//   piku-ssh KEYNAME            (from authorized_keys)
//   piku-ssh --local VERB ARGS  (on the host, as the user: admin)
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { splitCommand } from '../parse/command-line.js'
import { parseRepoArgument, quoteForMessage, validateAppName, validateKeyName } from '../parse/app-name.js'
import { UserError } from '../errors.js'
import { appPaths, hostPaths } from '../state/paths.js'
import { findVerb, renderHelp, verbFile, type VerbContext, type VerbModule } from '../verbs/index.js'
import { checkAccess, LOCAL_GRANT, parseKeyRecords, planGrant, type Role } from '../parse/access.js'
import { recordAudit, redactMessage, type AuditEntry } from '../state/audit.js'
import * as log from '../log.js'

/** The verbs a terminal (ssh -t) is for: a shell, psql, redis-cli. */
const TERMINAL_VERBS = ['run', 'postgres:connect', 'redis:connect']

/** The grant of the key sshd named; a key missing from config/.keys.json (or a damaged list) gets nothing. */
function keyContext(key: string): VerbContext {
  if (key === 'local') return { ...LOCAL_GRANT }
  const file = hostPaths().keysDb
  let text = '[]'
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read the key list ${file}: ${(e as Error).message}`)
  }
  const records = parseKeyRecords(text)
  if (!records.ok) throw new UserError(records.errors[0])
  const grant = planGrant(records.value, key)
  if (!grant.ok) throw new UserError(grant.errors[0])
  return grant.value
}

/** Refuse (UserError, recorded in the audit log when `audit` is given) unless the key may do `what`. */
function authorize(ctx: VerbContext, need: Role, what: string, app?: string, audit?: Omit<AuditEntry, 'time' | 'key' | 'outcome'>): void {
  const denied = checkAccess(ctx, need, what, app)
  if (!denied) return
  if (audit) recordAudit({ key: ctx.key, ...audit, outcome: 'refused', message: denied })
  throw new UserError(denied)
}

async function gitVerb(ctx: VerbContext, words: string[]): Promise<number> {
  const [cmd, arg] = words
  if (words.length !== 2) throw new UserError(`${cmd}: expected one repository argument`)
  const parsed = parseRepoArgument(arg)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const app = parsed.value
  const p = appPaths(app)
  const exists = existsSync(join(p.repo, 'HEAD'))
  // host/git.js (and node:child_process) loads only here: every other verb starts without it
  const { initBareRepo, serveGit } = await import('../host/git.js')
  if (cmd === 'git-upload-pack') {
    authorize(ctx, 'read', 'fetching', app)
    if (!exists) throw new UserError(`app "${app}" not found`)
    return serveGit('git-upload-pack', p.repo, ctx.key)
  }
  if (exists) authorize(ctx, 'deploy', 'pushing', app, { action: 'push', app })
  else authorize(ctx, 'admin', `creating app "${app}"`, app, { action: 'create', app })
  if (!exists) {
    mkdirSync(p.repo, { recursive: true, mode: 0o750 })
    const r = await initBareRepo(p.repo)
    if (r.code !== 0) {
      recordAudit({ key: ctx.key, action: 'create', app, outcome: 'failed', message: r.stderr.trim() })
      throw new UserError(`could not create the repository for "${app}": ${r.stderr.trim()}`)
    }
    recordAudit({ key: ctx.key, action: 'create', app, outcome: 'ok' })
    log.step(`created app "${app}"`)
  }
  // the app's own hooks and templates: written on the first push, refreshed after an upgrade unless edited
  const { syncCopies } = await import('../state/stock.js')
  for (const line of syncCopies(app)) log.info(line)
  return serveGit('git-receive-pack', p.repo, ctx.key)
}

/** A verb of the host's own (~/verbs/NAME): role from its header, an APP argument checked as for built-ins,
 *  every call in the audit log. */
async function adminVerb(ctx: VerbContext, name: string, args: string[]): Promise<number> {
  const { findAdminVerb, runAdminVerb } = await import('../state/admin-verbs.js')
  const verb = findAdminVerb(name)
  if (!verb) throw new UserError(`unknown verb ${quoteForMessage(name, 40)}; run "help" for the list`)
  const detail = args.map((a) => quoteForMessage(a, 60)).join(' ')
  let app: string | undefined
  if (verb.role !== 'admin') {
    // read and deploy verbs act on one app, named first, which the key must hold
    if (args.length === 0) throw new UserError(`usage: ${name} APP ...: a ${verb.role} verb takes the app first`)
    const valid = validateAppName(args[0])
    if (!valid.ok) throw new UserError(valid.errors[0])
    app = valid.value
  }
  authorize(ctx, verb.role, name, app, { action: name, ...(app ? { app } : {}), detail })
  if (app && !existsSync(join(appPaths(app).repo, 'HEAD'))) throw new UserError(`app "${app}" not found`)
  const env: Record<string, string> = { PIKU_KEY: ctx.key, PIKU_ROLE: ctx.role, ...(app ? { PIKU_APP: app } : {}) }
  const code = await runAdminVerb(verb, args, env)
  recordAudit({ key: ctx.key, action: name, ...(app ? { app } : {}), detail, outcome: code === 0 ? 'ok' : 'failed', ...(code === 0 ? {} : { message: `exit ${code}` }) })
  return code
}

/** What an interactive login (no command) gets: the verb list, and no shell. */
function refuseLogin(): never {
  log.out(renderHelp())
  throw new UserError('no shell here: give a verb, e.g. "ssh USER@HOST apps" (the list is above)')
}

export async function main(argv: string[]): Promise<number> {
  let words: string[]
  let key: string
  if (argv[0] === '--local') {
    // files written as root in the user's home would lock the user out of them
    if (process.getuid?.() === 0) throw new UserError('piku-ssh --local: run it as the app user, e.g. runuser -u piku -- piku-ssh --local apps')
    key = 'local'
    words = argv.slice(1)
  } else {
    const k = validateKeyName(argv[0] ?? '')
    if (!k.ok || argv.length !== 1) throw new UserError('piku-ssh: missing or invalid key name (check authorized_keys)')
    key = k.value
    const original = process.env.SSH_ORIGINAL_COMMAND
    if (original === undefined || original.trim() === '') refuseLogin()
    const split = splitCommand(original)
    if (!split.ok) throw new UserError(split.errors[0])
    words = split.value
    if (words.length === 0) refuseLogin()
    // keys carry `restrict,pty` so that `run` and the database shells can have a terminal; nothing else needs one
    if (process.env.SSH_TTY && !TERMINAL_VERBS.includes(words[0])) throw new UserError(`a terminal (ssh -t) is only for ${TERMINAL_VERBS.map((v) => `"${v}"`).join(', ')}; call ${quoteForMessage(words[0], 40)} without -t`)
  }
  const ctx = keyContext(key)
  if (words.length === 0) {
    log.out(renderHelp())
    return 0
  }
  const [name, ...args] = words
  if (name === 'git-receive-pack' || name === 'git-upload-pack') return gitVerb(ctx, words)
  const verb = findVerb(name)
  if (!verb) return adminVerb(ctx, name, args)
  const detail = verb.audit?.(args)
  let app: string | undefined
  if (verb.app) {
    if (args.length === 0) throw new UserError(`usage: ${verb.usage}`)
    const valid = validateAppName(args[0])
    if (!valid.ok) throw new UserError(valid.errors[0])
    app = valid.value
    authorize(ctx, verb.role, verb.name, app, detail === undefined ? undefined : { action: verb.name, app, detail })
    if (!existsSync(join(appPaths(app).repo, 'HEAD'))) throw new UserError(`app "${app}" not found`)
  } else {
    authorize(ctx, verb.role, verb.name, undefined, detail === undefined ? undefined : { action: verb.name, detail })
  }
  const mod = (await import(`../verbs/${verbFile(verb.name)}.js`)) as VerbModule
  if (detail === undefined) return mod.run(ctx, args)
  const audit = { key: ctx.key, action: verb.name, ...(app ? { app } : {}), detail }
  try {
    const code = await mod.run(ctx, args)
    recordAudit({ ...audit, outcome: code === 0 ? 'ok' : 'failed', ...(code === 0 ? {} : { message: `exit ${code}` }) })
    return code
  } catch (e) {
    recordAudit({ ...audit, outcome: 'failed', message: redactMessage(args, (e as Error)?.message ?? String(e)) })
    throw e
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    if (e instanceof UserError) {
      log.failure(e.message)
      process.exitCode = e.exitCode
    } else {
      log.failure(`internal: ${(e as Error)?.stack ?? e}`)
      process.exitCode = 70
    }
  },
)
