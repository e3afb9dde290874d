// rollback: go back to the previous (or a given) release, code and config together, through the same
// health-checked switch as a deploy.
import { appPaths } from '../state/paths.js'
import { listReleases, currentRelease, readPlan, appendHistory } from '../state/release.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export function pickRollbackTarget(releases: string[], live: string | undefined, wanted?: string): string {
  if (wanted !== undefined) {
    if (!/^v\d+$/.test(wanted)) throw new UserError(`rollback: "${wanted.slice(0, 40)}" is not a release id (like v3); see "releases APP"`)
    if (!releases.includes(wanted)) throw new UserError(`rollback: release ${wanted} is not kept any more; see "releases APP"`)
    if (wanted === live) throw new UserError(`rollback: ${wanted} is already live`)
    return wanted
  }
  const older = releases.filter((id) => live === undefined || Number(id.slice(1)) < Number(live.slice(1)))
  if (!older.length) throw new UserError('rollback: there is no earlier release to go back to')
  return older[0]
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, wanted, ...extra] = args
  if (extra.length) throw new UserError('usage: rollback APP [ID]')
  const { acquireLock, releaseLock } = await import('../state/lock.js')
  const { activate } = await import('../deploy/activate.js')
  const { readHostSettings } = await import('../state/host-settings.js')
  const lock = appPaths(app).lock
  await acquireLock(lock, process.pid, 'rollback')
  try {
    const live = currentRelease(app)
    const target = pickRollbackTarget(listReleases(app), live, wanted)
    const plan = readPlan(app, target)
    if (!plan) throw new UserError(`rollback: release ${target} has no plan on disk`)
    log.step(`rolling ${app} back from ${live ?? 'nothing'} to ${target} (${plan.sha.slice(0, 7)})`)
    await activate(plan, { host: readHostSettings() })
    if (live) appendHistory(app, { id: live, sha: readPlan(app, live)?.sha ?? '', time: new Date().toISOString(), key: ctx.key, reason: 'rollback', outcome: 'rolled-back', message: `replaced by ${target}` })
    appendHistory(app, { id: target, sha: plan.sha, time: new Date().toISOString(), key: ctx.key, reason: 'rollback', outcome: 'live' })
    log.step(`${app} ${target} is live`)
    return 0
  } finally {
    releaseLock(lock, process.pid)
  }
}
