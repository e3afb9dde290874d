// config:unset: remove config values (config/APP/ENV), then redeploy the live commit; restored on failure.
import { existsSync, readFileSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { validateConfigKey } from '../parse/app-name.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import { applyEnvChanges } from './config-set.js'
import { readConfigValues } from './config.js'
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
    const file = appPaths(app).env
    const before = existsSync(file) ? readFileSync(file, 'utf8') : ''
    for (const k of present) log.step(`unsetting ${k} for "${app}"`)
    await applyFileChange({ app, file, text: applyEnvChanges(before, [], present), reason: 'config', key: ctx.key })
  })
  return 0
}
