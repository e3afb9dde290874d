// config:live: the environment of the running release (LIVE_ENV, written at activation), PORT included.
import { readLiveEnv } from '../state/app-config.js'
import { serializeEnvFile } from '../parse/env-file.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: config:live APP [--json]')
  const env = readLiveEnv(app)
  if (json) log.json(env)
  else log.out(serializeEnvFile(env))
  return 0
}
