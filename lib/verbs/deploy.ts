// deploy: build and start again the commit the deploy branch (main or master) points at; also brings a
// stopped app back.
import { appPaths } from '../state/paths.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: deploy APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { deployRevision } = await import('../deploy/deploy.js')
  const { readDeployBranch } = await import('../host/git.js')
  await withAppLock(app, 'deploy', async () => {
    const branch = await readDeployBranch(appPaths(app).repo)
    if (!branch) throw new UserError(`"${app}" has no main or master branch yet: push one first`)
    await deployRevision({ app, sha: branch.sha, key: ctx.key, reason: 'deploy' })
  })
  return 0
}
