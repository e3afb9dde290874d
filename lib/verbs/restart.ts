// restart: start the live release again with new workers beside the old, then switch (no rebuild);
// also brings a stopped app back, and switches to a release PIKU_AUTO_RESTART=0 staged.
import { currentRelease } from '../state/release.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: restart APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { restartCurrent } = await import('../deploy/activate.js')
  await withAppLock(app, 'restart', async () => {
    // a release PIKU_AUTO_RESTART=0 staged is what a restart switches to
    const { activateStaged } = await import('../deploy/deploy.js')
    if (await activateStaged(app, ctx.key, 'restart')) return
    const id = currentRelease(app)
    if (!id) throw new UserError(`"${app}" has not been deployed yet: push to it first`)
    log.step(`restarting ${app} ${id}`)
    await restartCurrent(app, id)
    log.step(`${app} ${id} restarted`)
  })
  return 0
}
