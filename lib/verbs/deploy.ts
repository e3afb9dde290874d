// deploy: build and start again the commit the deploy branch (PIKU_DEPLOY_BRANCH, else main or master)
// points at; also brings a stopped app back, and switches to a release PIKU_AUTO_RESTART=0 staged.
import { appPaths } from '../state/paths.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: deploy APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { deployRevision, activateStaged } = await import('../deploy/deploy.js')
  const { readDeployBranchSetting } = await import('../deploy/deploy-branch.js')
  const { readDeployBranch } = await import('../host/git.js')
  const { currentRelease, readPlan } = await import('../state/release.js')
  await withAppLock(app, 'deploy', async () => {
    const live = currentRelease(app)
    const setting = await readDeployBranchSetting(app, live ? readPlan(app, live)?.sha : undefined)
    const branch = await readDeployBranch(appPaths(app).repo, setting)
    if (!branch) throw new UserError(`"${app}" has no ${setting ? `${setting} branch (PIKU_DEPLOY_BRANCH)` : 'main or master branch'} yet: push one first`)
    // a release staged from this very commit was built and checked already: switch to it
    if (await activateStaged(app, ctx.key, 'deploy', branch.sha)) return
    await deployRevision({ app, sha: branch.sha, key: ctx.key, reason: 'deploy', activate: true })
  })
  return 0
}
