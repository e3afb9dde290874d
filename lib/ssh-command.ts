// ssh-command: the forced command of every key. Reads the client's command from SSH_ORIGINAL_COMMAND,
// splits it without a shell, looks the verb up in the table and runs it; errors become one line and an exit code.
//   piku-ssh KEYNAME            (from authorized_keys)
//   piku-ssh --local VERB ARGS  (on the host, as the user: admin)
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { splitCommand } from './command-line.js'
import { parseRepoArgument, validateAppName, validateKeyName } from './app-name.js'
import { UserError } from './errors.js'
import { appPaths, hostPaths, toolkitRoot } from './paths.js'
import { findVerb, renderHelp, type Role, type VerbContext } from './verbs/index.js'

const RANK: Record<Role, number> = { read: 0, deploy: 1, admin: 2 }

interface KeyRecord {
  name: string
  role: Role
  apps: string[]
}

function keyContext(key: string): VerbContext {
  if (key === 'local') return { key, role: 'admin', keyApps: [] }
  let records: KeyRecord[] = []
  try {
    records = JSON.parse(readFileSync(hostPaths().keysDb, 'utf8')) as KeyRecord[]
  } catch {}
  const rec = records.find((r) => r.name === key)
  // a key in authorized_keys with no record was put there by the host's admin: admin
  const role: Role = rec && rec.role in RANK ? rec.role : 'admin'
  return { key, role, keyApps: rec?.apps ?? [] }
}

export function allowed(ctx: VerbContext, need: Role, app?: string): string | undefined {
  if (RANK[ctx.role] < RANK[need]) return `key "${ctx.key}" has role ${ctx.role}; this needs role ${need}`
  if (app && ctx.role !== 'admin' && !ctx.keyApps.includes(app)) return `key "${ctx.key}" (role ${ctx.role}) may not use app "${app}"`
  return undefined
}

/** Make sure the repo's hooks link to the installed toolkit (relinked when the toolkit moved). */
export function linkHooks(repo: string): void {
  for (const hook of ['pre-receive', 'post-receive']) {
    const target = join(toolkitRoot(), 'bin', hook)
    const link = join(repo, 'hooks', hook)
    let current: string | undefined
    try {
      current = readlinkSync(link)
    } catch {}
    if (current === target) continue
    const tmp = `${link}.${process.pid}.tmp`
    rmSync(tmp, { force: true })
    symlinkSync(target, tmp)
    renameSync(tmp, link)
  }
}

function runGit(cmd: 'git-receive-pack' | 'git-upload-pack', repo: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [repo], { stdio: 'inherit', env: { ...process.env, PIKU_KEY: key } })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

async function gitVerb(ctx: VerbContext, words: string[]): Promise<number> {
  const [cmd, arg] = words
  if (words.length !== 2) throw new UserError(`${cmd}: expected one repository argument`)
  const parsed = parseRepoArgument(arg)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const app = parsed.value
  const p = appPaths(app)
  const exists = existsSync(join(p.repo, 'HEAD'))
  if (cmd === 'git-upload-pack') {
    const denied = allowed(ctx, 'read', app)
    if (denied) throw new UserError(denied)
    if (!exists) throw new UserError(`app "${app}" not found`)
    return runGit('git-upload-pack', p.repo, ctx.key)
  }
  const denied = allowed(ctx, exists ? 'deploy' : 'admin', app)
  if (denied) throw new UserError(exists ? denied : `${denied} (creating app "${app}")`)
  if (!exists) {
    mkdirSync(p.repo, { recursive: true, mode: 0o750 })
    const { runCapture } = await import('./system.js')
    const r = await runCapture('git', ['init', '--quiet', '--bare', '--initial-branch=main', p.repo], { env: { PATH: process.env.PATH, HOME: process.env.HOME } })
    if (r.code !== 0) throw new UserError(`could not create the repository for "${app}": ${r.stderr.trim()}`)
    process.stderr.write(`-----> created app "${app}"\n`)
  }
  linkHooks(p.repo)
  return runGit('git-receive-pack', p.repo, ctx.key)
}

export async function main(argv: string[]): Promise<number> {
  let words: string[]
  let key: string
  if (argv[0] === '--local') {
    key = 'local'
    words = argv.slice(1)
  } else {
    const k = validateKeyName(argv[0] ?? '')
    if (!k.ok) throw new UserError('piku-ssh: missing or invalid key name (check authorized_keys)')
    key = k.value
    const original = process.env.SSH_ORIGINAL_COMMAND
    if (original === undefined || original.trim() === '') {
      // an interactive login gets help, not a shell
      process.stdout.write(renderHelp())
      return 0
    }
    const split = splitCommand(original)
    if (!split.ok) throw new UserError(split.errors[0])
    words = split.value
  }
  const ctx = keyContext(key)
  if (words.length === 0) {
    process.stdout.write(renderHelp())
    return 0
  }
  const [name, ...args] = words
  if (name === 'git-receive-pack' || name === 'git-upload-pack') return gitVerb(ctx, words)
  const verb = findVerb(name)
  if (!verb) throw new UserError(`unknown verb "${name.slice(0, 40)}"; run "help" for the list`)
  if (verb.app) {
    if (args.length === 0) throw new UserError(`usage: ${verb.usage}`)
    const app = validateAppName(args[0])
    if (!app.ok) throw new UserError(app.errors[0])
    const denied = allowed(ctx, verb.role, app.value)
    if (denied) throw new UserError(denied)
    if (!existsSync(appPaths(app.value).repo)) throw new UserError(`app "${app.value}" not found`)
  } else {
    const denied = allowed(ctx, verb.role)
    if (denied) throw new UserError(denied)
  }
  const mod = await verb.load()
  return mod.run(ctx, args)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`)
      process.exitCode = e.exitCode
    } else {
      process.stderr.write(`error: internal: ${(e as Error)?.stack ?? e}\n`)
      process.exitCode = 70
    }
  },
)
