// app-config: an app's config:set values (config/APP/ENV) and its running environment (LIVE_ENV).
import { existsSync, readFileSync } from 'node:fs'
import { appPaths } from './paths.js'
import { parseEnvFile } from '../parse/env-file.js'
import { parseLiveEnv } from '../parse/live-env.js'
import { UserError } from '../errors.js'

/** The text of config/APP/ENV ('' when there is none). */
export function readConfigText(app: string): string {
  const file = appPaths(app).env
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

/** The config:set values of an app, in file order ({} when there are none). */
export function readConfigValues(app: string): Record<string, string> {
  const file = appPaths(app).env
  if (!existsSync(file)) return {}
  const parsed = parseEnvFile(readFileSync(file, 'utf8'), {}, `config/${app}/ENV`)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  return parsed.value
}

/** The running (or last running) environment of an app; a UserError when it never ran. */
export function readLiveEnv(app: string): Record<string, string> {
  const file = appPaths(app).liveEnv
  if (!existsSync(file)) throw new UserError(`"${app}" has not been deployed yet: push to it first`)
  const parsed = parseLiveEnv(readFileSync(file, 'utf8'))
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  return parsed.value
}
