// run: a command in the live release's folder with the running environment (LIVE_ENV), as piku does:
// the command line run by /bin/sh -c, stdin/stdout/stderr the ssh session's; its exit status is ours.
import { realpathSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { UserError, isErrno } from '../errors.js'
import { readLiveEnv } from '../state/app-config.js'
import { splitCommand } from '../parse/command-line.js'
import type { VerbContext } from './index.js'

/**
 * What follows the first `skip` words of a raw command line, as written (quotes kept), or undefined
 * when `raw` does not start with exactly those words.
 */
export function rawAfterWords(raw: string, words: string[]): string | undefined {
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && !/\s/.test(raw[i])) continue
    const head = splitCommand(raw.slice(0, i))
    if (!head.ok || head.value.length < words.length) continue
    if (head.value.length > words.length || head.value.some((w, j) => w !== words[j])) return undefined
    return raw.slice(i).trim()
  }
  return undefined
}

/**
 * The shell command of `run APP [--] COMMAND...`. As in piku, it is the command line as the client
 * sent it (`ssh host run app "sh -c 'exit 3'"`, pipes and quotes included), taken from
 * SSH_ORIGINAL_COMMAND; without one (piku-ssh --local) the words joined with spaces.
 */
export function planRunCommand(words: string[], raw?: string): string | undefined {
  const [verb, app, ...rest] = words
  const dashes = rest[0] === '--'
  const cmd = dashes ? rest.slice(1) : rest
  if (cmd.length === 0) return undefined
  const fromRaw = raw === undefined ? undefined : rawAfterWords(raw, [verb, app, ...(dashes ? ['--'] : [])])
  return fromRaw || cmd.join(' ')
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...words] = args
  const command = planRunCommand(['run', app, ...words], process.env.SSH_ORIGINAL_COMMAND)
  if (command === undefined) throw new UserError('usage: run APP COMMAND... (e.g. run myapp -- ls -al)')
  const env = readLiveEnv(app)
  let cwd: string
  try {
    cwd = realpathSync(appPaths(app).current)
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e
    throw new UserError(`"${app}" has no current release: push to it first`)
  }
  const { runAttached } = await import('../host/run.js')
  const { checkSandbox, wrapCommand, SANDBOX_BIND_KEY } = await import('../deploy/sandbox.js')
  const { readHostSettings } = await import('../state/host-settings.js')
  // inside the app's sandbox, as its workers run: a shell there sees what the app sees, nothing more
  const box = checkSandbox(readHostSettings(), false)
  const phase = process.stdin.isTTY ? 'interactive' : 'run'
  const [cmd, cmdArgs] = wrapCommand(box, app, phase, { release: cwd, binds: env[SANDBOX_BIND_KEY] }, '/bin/sh', ['-c', command])
  return (await runAttached(cmd, cmdArgs, { cwd, env })).code
}
