// deploy/pre-receive: what an app's pre-receive hook runs (repos/APP/hooks/pre-receive imports this and calls
// main()). git calls the hook before any ref moves; a push to the deploy branch (main or master, or the one
// PIKU_DEPLOY_BRANCH names) is checked, gated by the pre-receive.d scripts, built and brought up here, so a bad
// push is refused (non-zero exit) and the branch stays where it was.
import { readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { parseRefUpdates, isDeployBranch, describeDeployBranch, type RefUpdate } from '../parse/refs.js'
import { validateAppName } from '../parse/app-name.js'
import { UserError } from '../errors.js'
import { appPaths } from '../state/paths.js'
import * as log from '../log.js'
import { recordAudit } from '../state/audit.js'

let pushed = '' // the ref updates, for the audit line

function audit(outcome: 'ok' | 'refused', message?: string): void {
  const app = basename(resolve(process.env.GIT_DIR ?? '.'))
  recordAudit({ key: process.env.PIKU_KEY ?? 'unknown', action: 'push', ...(validateAppName(app).ok ? { app } : {}), detail: pushed, outcome, ...(message ? { message } : {}) })
}

async function preReceive(): Promise<number> {
  const app = validateAppName(basename(resolve(process.env.GIT_DIR ?? '.')))
  if (!app.ok) throw new UserError(app.errors[0])
  const input = readFileSync(0, 'utf8')
  const updates = parseRefUpdates(input)
  if (!updates.ok) throw new UserError(updates.errors[0])
  pushed = updates.value.map((u) => `${u.ref} ${u.oldSha.slice(0, 7)}..${u.newSha.slice(0, 7)}`).join(', ')
  // each pushed branch is judged by PIKU_DEPLOY_BRANCH as its own commit (or config:set) names it
  const { readDeployBranchSetting } = await import('./deploy-branch.js')
  const { quarantineEnv } = await import('../host/git.js')
  const objectEnv = quarantineEnv()
  const deploys: RefUpdate[] = []
  for (const u of updates.value) {
    const setting = u.branch ? await readDeployBranchSetting(app.value, u.deleted ? u.oldSha : u.newSha, objectEnv) : undefined
    if (isDeployBranch(u.ref, setting)) deploys.push(u)
    else log.step(`${u.ref}: stored, not deployed (${describeDeployBranch(setting)} deploys)`)
  }
  if (deploys.length === 0) {
    audit('ok', 'stored, not deployed')
    return 0
  }
  if (deploys.length > 1) throw new UserError(`push ${deploys.map((d) => d.branch).join(' or ')}, not both at once: only one branch deploys`)
  const u = deploys[0]
  if (u.deleted) throw new UserError(`${u.ref}: the deployed branch cannot be deleted (use "destroy" to remove the app)`)

  const { acquireLock } = await import('../state/lock.js')
  const { readRef } = await import('../host/git.js')
  const { deployRevision } = await import('./deploy.js')
  const { currentRelease } = await import('../state/release.js')
  const { writeFileAtomic } = await import('../host/atomic-file.js')
  const p = appPaths(app.value)
  // the lock belongs to git-receive-pack (our parent): post-receive releases it once the ref moved
  await acquireLock(p.lock, process.ppid, 'deploy')
  const now = await readRef(p.repo, u.ref)
  const expected = u.created ? undefined : u.oldSha
  if (now !== expected) {
    throw new UserError(`${u.ref} moved while this push waited (now ${now?.slice(0, 7) ?? 'absent'}); fetch, merge and push again`)
  }
  const key = process.env.PIKU_KEY ?? 'unknown'
  const previous = currentRelease(app.value)
  // the admin's pre-receive.d scripts see the pushed commit's files before anything is built
  const gate = async (dir: string): Promise<void> => {
    const { runHookScripts } = await import('./hook-scripts.js')
    await runHookScripts('pre-receive', app.value, { cwd: dir, input, env: { PIKU_APP: app.value, PIKU_KEY: key, PIKU_NEW_SHA: u.newSha, PIKU_REF: u.ref } })
  }
  const plan = await deployRevision({ app: app.value, sha: u.newSha, key, reason: 'push', objectEnv, gate })
  // post-receive runs the post-receive.d scripts for this release once the ref moved
  writeFileAtomic(p.pushed, JSON.stringify({ receivePack: process.ppid, release: plan.id, dir: plan.dir, previous: previous ?? '' }) + '\n', 0o600)
  audit('ok')
  return 0
}

/** The hook's entry: sets the exit code; every failure is one message and a refused push. */
export async function main(): Promise<void> {
  try {
    process.exitCode = await preReceive()
  } catch (e) {
    log.error(e instanceof UserError ? e.message : `internal: ${(e as Error)?.stack ?? e}`)
    log.error('push refused; nothing changed')
    audit('refused', e instanceof UserError ? e.message : 'internal error')
    // release the lock now: the ref will not move and post-receive will not run
    try {
      const app = basename(resolve(process.env.GIT_DIR ?? '.'))
      const { releaseLock } = await import('../state/lock.js')
      releaseLock(appPaths(app).lock, process.ppid)
    } catch {} // any failure: the push is refused already, and the lock's owner (this push) ends with it
    process.exitCode = 1
  }
}
