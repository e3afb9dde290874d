// deploy/hook-scripts: run the admin's chained scripts of a hook, as gitlab-shell runs custom_hooks/*.d:
// the executables in ~/hooks/HOOK.d/ (every app of the host) and then repos/APP/hooks/HOOK.d/ (this app),
// each in name order, as the app user, with a clean environment, git's ref lines on stdin, its output
// streamed to the pusher (and the deploy log) as it runs, and a time limit (PIKU_HOOK_TIMEOUT, default 120 s).
// pre-receive.d: a non-zero exit refuses the push. post-receive.d: a failure is a warning.
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths, displayPath, hookScriptDirs, hostPaths, toolkitRoot } from '../state/paths.js'
import { orderHookScripts, parseHookTimeout } from '../parse/hook-scripts.js'
import { parseEnvFile } from '../parse/env-file.js'
import { UserError, isErrno } from '../errors.js'
import { shellQuote } from '../render/quote.js'
import * as log from '../log.js'

export type HookName = 'pre-receive' | 'post-receive'

/** The scripts that run for `hook` of `app`, host-wide first: absolute paths of executable files. */
export function listHookScripts(hook: HookName, app: string): string[] {
  const scripts: string[] = []
  for (const dir of hookScriptDirs(app, hook)) {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR')) continue // no such folder: no scripts
      throw e
    }
    for (const n of orderHookScripts(names)) {
      const file = join(dir, n)
      try {
        if (!statSync(file).isFile()) continue
        accessSync(file, constants.X_OK)
      } catch (e) {
        if (isErrno(e, 'ENOENT', 'EACCES')) continue // not executable (a note or a disabled step), or a dangling link
        throw e
      }
      scripts.push(file)
    }
  }
  return scripts
}

export function hasHookScripts(hook: HookName, app: string): boolean {
  return listHookScripts(hook, app).length > 0
}

/** PIKU_HOOK_TIMEOUT from the app's config:set values, else the ENV file of the commit in `dir`. */
function hookTimeoutSeconds(app: string, dir: string): number {
  let value: string | undefined
  for (const [file, name] of [[appPaths(app).env, 'config'], [join(dir, 'ENV'), 'ENV']] as const) {
    if (value !== undefined || !existsSync(file)) continue
    const parsed = parseEnvFile(readFileSync(file, 'utf8'), {}, name)
    if (parsed.ok && parsed.value.PIKU_HOOK_TIMEOUT !== undefined) value = parsed.value.PIKU_HOOK_TIMEOUT
  }
  const t = parseHookTimeout(value)
  if (!t.ok) throw new UserError(t.errors[0])
  return t.value
}

/** The whole environment a script gets: the basics of a login and the hook's PIKU_* values, nothing of git's. */
function scriptEnv(named: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    // the toolkit's zx (and any other tool it ships) first, for `#!/usr/bin/env zx` scripts
    PATH: `${join(toolkitRoot(), 'node_modules', '.bin')}:${process.env.PATH || '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: hostPaths().root,
  }
  for (const k of ['USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'PIKU_ROOT']) if (process.env[k]) env[k] = process.env[k]!
  return { ...env, ...named }
}

export interface ScriptRun {
  cwd: string // pre-receive: the pushed commit's files; post-receive: the live release
  input: string // git's ref lines
  env: Record<string, string> // the hook's PIKU_* variables
}

/** Run every script of `hook` in order. pre-receive: throws a UserError at the first failure (the push is
 *  refused); post-receive: warns and goes on. */
export async function runHookScripts(hook: HookName, app: string, run: ScriptRun): Promise<void> {
  const scripts = listHookScripts(hook, app)
  if (!scripts.length) return
  const seconds = hookTimeoutSeconds(app, run.cwd)
  // zx: one preset gives the timeout, the stdin, the exit code as a value and the output as a stream. sh, not
  // bash (bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are), with sh's own quoting; each
  // script leads its own process group, so a timeout stops what it started too.
  const { $ } = await import('zx/core')
  $.kill = async (pid: number | string, signal?: NodeJS.Signals) => {
    try {
      process.kill(-Number(pid), signal ?? 'SIGTERM')
    } catch (e) {
      if (!isErrno(e, 'ESRCH')) throw e // the group ended already
    }
  }
  const sh = $({
    shell: '/bin/sh',
    prefix: '',
    postfix: '',
    quote: (s: unknown) => shellQuote(String(s)),
    cwd: run.cwd,
    env: scriptEnv(run.env),
    input: run.input,
    quiet: true,
    nothrow: true,
    detached: true,
    timeout: seconds * 1000,
    timeoutSignal: 'SIGKILL',
  })
  for (const script of scripts) {
    const name = script.startsWith(hostPaths().hooks) ? `~/${displayPath(script)}` : displayPath(script)
    log.step(`${hook}.d: running ${name}`)
    const started = Date.now()
    const child = sh`${script}`
    // a script that exits without reading its stdin closes the pipe under zx's write of the ref lines:
    // that EPIPE is the script's choice, not an error of the hook
    child.stdin.on('error', () => {})
    child.stdout.on('data', (d: Buffer) => log.raw(d))
    child.stderr.on('data', (d: Buffer) => log.raw(d))
    const out = await child
    if (out.exitCode === 0) continue
    const why =
      out.signal === 'SIGKILL' && Date.now() - started >= seconds * 1000 - 50
        ? `did not finish within ${seconds} s (PIKU_HOOK_TIMEOUT) and was stopped`
        : out.exitCode === null
          ? `was killed by ${out.signal}`
          : `exited ${out.exitCode}`
    if (hook === 'pre-receive') throw new UserError(`${hook}.d: ${name} ${why}: the push is refused; the running release is unchanged`)
    log.warn(`${hook}.d: ${name} ${why} (the release is live; the output above is in the deploy log)`)
  }
}
