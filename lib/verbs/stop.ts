// stop: stop every worker and take the app out of nginx. Sticky: config changes do not start it again;
// deploy, restart or a push does.
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: stop APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { stopApp } = await import('../deploy/activate.js')
  const { writeStopped } = await import('../state/app-state.js')
  await withAppLock(app, 'stop', async () => {
    writeStopped(app, true)
    const was = await stopApp(app)
    log.step(was ? `stopped ${app} (deploy or restart starts it again)` : `${app} was not running; it stays stopped`)
  })
  return 0
}
