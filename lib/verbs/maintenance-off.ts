// maintenance:off: the app answers again.
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: maintenance:off APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { setMaintenance } = await import('../deploy/site-state.js')
  await withAppLock(app, 'maintenance:off', async () => {
    const r = await setMaintenance(app, false)
    if (!r.changed) log.step(`${app} is not in maintenance mode`)
    else log.step(r.live ? `${app} is out of maintenance mode and answers again` : `${app} is out of maintenance mode (it is not running now)`)
  })
  return 0
}
