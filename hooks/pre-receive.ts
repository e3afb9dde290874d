// pre-receive: git calls this before any ref moves. A push to the deploy branch (main or master, or
// PIKU_DEPLOY_BRANCH) is built and brought up
// here, so a bad push is refused (non-zero exit) and the branch stays where it was.
import { readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { parseRefUpdates, isDeployBranch, describeDeployBranch, type RefUpdate } from '../lib/parse/refs.js'
import { validateAppName } from '../lib/parse/app-name.js'
import { UserError } from '../lib/errors.js'
import { appPaths } from '../lib/state/paths.js'
import * as log from '../lib/log.js'
import { recordAudit } from '../lib/state/audit.js'

let pushed = '' // the ref updates, for the audit line

function audit(outcome: 'ok' | 'refused', message?: string): void {
  const app = basename(resolve(process.env.GIT_DIR ?? '.'))
  recordAudit({ key: process.env.PIKU_KEY ?? 'unknown', action: 'push', ...(validateAppName(app).ok ? { app } : {}), detail: pushed, outcome, ...(message ? { message } : {}) })
}

async function main(): Promise<number> {
  const app = validateAppName(basename(resolve(process.env.GIT_DIR ?? '.')))
  if (!app.ok) throw new UserError(app.errors[0])
  const updates = parseRefUpdates(readFileSync(0, 'utf8'))
  if (!updates.ok) throw new UserError(updates.errors[0])
  pushed = updates.value.map((u) => `${u.ref} ${u.oldSha.slice(0, 7)}..${u.newSha.slice(0, 7)}`).join(', ')
  // each pushed branch is judged by PIKU_DEPLOY_BRANCH as its own commit (or config:set) names it
  const { readDeployBranchSetting } = await import('../lib/deploy/deploy-branch.js')
  const { quarantineEnv } = await import('../lib/host/git.js')
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

  const { acquireLock } = await import('../lib/state/lock.js')
  const { readRef } = await import('../lib/host/git.js')
  const { deployRevision } = await import('../lib/deploy/deploy.js')
  const p = appPaths(app.value)
  // the lock belongs to git-receive-pack (our parent): post-receive releases it once the ref moved
  await acquireLock(p.lock, process.ppid, 'deploy')
  const now = await readRef(p.repo, u.ref)
  const expected = u.created ? undefined : u.oldSha
  if (now !== expected) {
    throw new UserError(`${u.ref} moved while this push waited (now ${now?.slice(0, 7) ?? 'absent'}); fetch, merge and push again`)
  }
  await deployRevision({ app: app.value, sha: u.newSha, key: process.env.PIKU_KEY ?? 'unknown', reason: 'push', objectEnv })
  audit('ok')
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  async (e: unknown) => {
    log.error(e instanceof UserError ? e.message : `internal: ${(e as Error)?.stack ?? e}`)
    log.error('push refused; nothing changed')
    audit('refused', e instanceof UserError ? e.message : 'internal error')
    // release the lock now: the ref will not move and post-receive will not run
    try {
      const app = basename(resolve(process.env.GIT_DIR ?? '.'))
      const { releaseLock } = await import('../lib/state/lock.js')
      releaseLock(appPaths(app).lock, process.ppid)
    } catch {}
    process.exitCode = 1
  },
)
