// config:set: set config values (config/APP/ENV), then redeploy the live commit to apply them; if that
// deploy fails the previous values come back and nothing changed.
import { appPaths } from '../state/paths.js'
import { readConfigText } from '../state/app-config.js'
import { parseSettingArgs } from '../parse/settings.js'
import { applyEnvChanges } from '../parse/env-file.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const pairs = parseSettingArgs(rest)
  if (!pairs.ok) throw new UserError(pairs.errors[0])
  const { withAppLock, applyFileChange } = await import('../deploy/app-change.js')
  await withAppLock(app, 'config:set', async () => {
    const before = readConfigText(app)
    for (const [k] of pairs.value) log.step(`setting ${k} for "${app}"`)
    await applyFileChange({ app, file: appPaths(app).env, text: applyEnvChanges(before, pairs.value), reason: 'config', key: ctx.key })
  })
  return 0
}
