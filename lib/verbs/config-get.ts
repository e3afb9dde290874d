// config:get: one config:set value, raw, alone on stdout; an unset key is an error.
import { validateConfigKey } from '../parse/app-name.js'
import { UserError } from '../errors.js'
import { readConfigValues } from '../state/app-config.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, key, ...rest] = args
  if (key === undefined || rest.length > 0) throw new UserError('usage: config:get APP KEY')
  const valid = validateConfigKey(key)
  if (!valid.ok) throw new UserError(valid.errors[0])
  const values = readConfigValues(app)
  if (!Object.hasOwn(values, key)) throw new UserError(`${key} is not set for "${app}" (config:get reads config:set values; see config:live for the running environment)`)
  log.outLine(values[key])
  return 0
}
