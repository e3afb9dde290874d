// maintenance:on: every request but the ACME challenge gets 503 and a plain page (the release's own
// maintenance.html when it has one), across deploys, restarts and re-installs until maintenance:off.
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: maintenance:on APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { setMaintenance } = await import('../deploy/site-state.js')
  await withAppLock(app, 'maintenance:on', async () => {
    const r = await setMaintenance(app, true)
    if (!r.changed) log.step(`${app} is already in maintenance mode (maintenance:off ${app} ends it)`)
    else if (r.live) log.step(`${app} is in maintenance mode: every request but the ACME challenge gets 503 (maintenance:off ${app} ends it)`)
    else log.step(`${app} will be in maintenance mode when it next starts (it is not running now)`)
  })
  return 0
}
