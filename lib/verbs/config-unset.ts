// config:unset: remove config values (config/APP/ENV), then redeploy the live commit; restored on failure.
import { appPaths } from '../state/paths.js'
import { validateConfigKey } from '../parse/app-name.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import { applyEnvChanges } from '../parse/env-file.js'
import { readConfigText, readConfigValues } from '../state/app-config.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...keys] = args
  if (keys.length === 0) throw new UserError('usage: config:unset APP KEY...')
  for (const k of keys) {
    const valid = validateConfigKey(k)
    if (!valid.ok) throw new UserError(`config:unset: ${valid.errors[0]}`)
  }
  const { withAppLock, applyFileChange } = await import('../deploy/app-change.js')
  await withAppLock(app, 'config:unset', async () => {
    const values = readConfigValues(app)
    const present = keys.filter((k) => Object.hasOwn(values, k))
    for (const k of keys.filter((k) => !present.includes(k))) log.warn(`${k} is not set for "${app}"`)
    if (present.length === 0) return
    const before = readConfigText(app)
    for (const k of present) log.step(`unsetting ${k} for "${app}"`)
    await applyFileChange({ app, file: appPaths(app).env, text: applyEnvChanges(before, [], present), reason: 'config', key: ctx.key })
  })
  return 0
}
