// config: the app's config:set values (config/APP/ENV), as KEY=VALUE lines or (`--json`) one JSON object.
import { readConfigValues } from '../state/app-config.js'
import { serializeEnvFile } from '../parse/env-file.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError(`config: unexpected argument ${JSON.stringify(rest[0].slice(0, 40))}; usage: config APP [--json]`)
  const values = readConfigValues(app)
  if (json) {
    log.json(values)
    return 0
  }
  if (Object.keys(values).length === 0) {
    log.note(`no config:set values for "${app}" (the repo's ENV still applies; see config:live)`)
    return 0
  }
  log.out(serializeEnvFile(values))
  return 0
}
