// config:live: the environment of the running release (LIVE_ENV, written at activation), PORT included.
import { existsSync, readFileSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { serializeEnvFile } from '../parse/env-file.js'
import { type Result, ok, fail, UserError } from '../errors.js'
import type { VerbContext } from './index.js'

/** LIVE_ENV lines are `KEY="json string"` (activate writes them with JSON.stringify). */
export function parseLiveEnv(text: string): Result<Record<string, string>> {
  const env: Record<string, string> = {}
  const errors: string[] = []
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(".*")$/.exec(line)
    let value: unknown
    try {
      value = m ? JSON.parse(m[2]) : undefined
    } catch {}
    if (!m || typeof value !== 'string') {
      errors.push(`LIVE_ENV:${i + 1}: expected KEY="json string"`)
      return
    }
    env[m[1]] = value
  })
  return errors.length ? fail(...errors) : ok(env)
}

/** The running (or last running) environment of an app; a UserError when it never ran. */
export function readLiveEnv(app: string): Record<string, string> {
  const file = appPaths(app).liveEnv
  if (!existsSync(file)) throw new UserError(`"${app}" has not been deployed yet: push to it first`)
  const parsed = parseLiveEnv(readFileSync(file, 'utf8'))
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  return parsed.value
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: config:live APP [--json]')
  const env = readLiveEnv(app)
  process.stdout.write(json ? JSON.stringify(env, null, 2) + '\n' : serializeEnvFile(env))
  return 0
}
