// run: a command in the live release's folder with the running environment (LIVE_ENV), as piku does:
// the words joined with spaces and run by /bin/sh -c, stdin/stdout/stderr the ssh session's; the
// command's exit status is ours.
import { realpathSync } from 'node:fs'
import { constants } from 'node:os'
import { appPaths } from '../paths.js'
import { UserError } from '../errors.js'
import { readLiveEnv } from './config-live.js'
import type { VerbContext } from './index.js'

/** The shell command of `run APP [--] WORDS...`: the words joined with spaces (piku's `run app -- cmd` too). */
export function planRunCommand(words: string[]): string | undefined {
  const rest = words[0] === '--' ? words.slice(1) : words
  return rest.length ? rest.join(' ') : undefined
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...words] = args
  const command = planRunCommand(words)
  if (command === undefined) throw new UserError('usage: run APP COMMAND... (e.g. run myapp -- ls -al)')
  const env = readLiveEnv(app)
  let cwd: string
  try {
    cwd = realpathSync(appPaths(app).current)
  } catch {
    throw new UserError(`"${app}" has no current release: push to it first`)
  }
  const { spawn } = await import('node:child_process')
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: 'inherit' })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)))
  })
}
