// deploy: build and start again the commit the deploy branch (main or master) points at; also brings a
// stopped app back.
import { appPaths } from '../state/paths.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

/** The deploy branch's commit: the one HEAD names if it is main or master, else main, else master. */
export async function readDeployBranch(repo: string): Promise<{ ref: string; sha: string } | undefined> {
  const { readRef } = await import('../host/git.js')
  const { runCapture } = await import('../host/system.js')
  const head = await runCapture('git', ['symbolic-ref', '--quiet', 'HEAD'], { env: { PATH: process.env.PATH, GIT_DIR: repo } })
  const named = head.stdout.trim()
  const refs = ['refs/heads/main', 'refs/heads/master'].sort((a, b) => Number(b === named) - Number(a === named))
  for (const ref of refs) {
    const sha = await readRef(repo, ref)
    if (sha) return { ref, sha }
  }
  return undefined
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: deploy APP')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { deployRevision } = await import('../deploy/deploy.js')
  await withAppLock(app, 'deploy', async () => {
    const branch = await readDeployBranch(appPaths(app).repo)
    if (!branch) throw new UserError(`"${app}" has no main or master branch yet: push one first`)
    await deployRevision({ app, sha: branch.sha, key: ctx.key, reason: 'deploy' })
  })
  return 0
}
