// deploy/post-receive: what an app's post-receive hook runs (repos/APP/hooks/post-receive imports this and
// calls main()). The refs moved and the deploy already happened in pre-receive: this releases the app's
// deploy lock, points HEAD at the deployed branch so `git clone` checks it out, and runs the post-receive.d
// scripts for the release that went live (a failure there is a warning, kept in the deploy log).
import { readFileSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseRefUpdates, isDeployBranch } from '../parse/refs.js'
import { validateAppName } from '../parse/app-name.js'
import { appPaths } from '../state/paths.js'
import { releaseLock } from '../state/lock.js'
import * as log from '../log.js'
import { isErrno } from '../errors.js'

interface Pushed {
  receivePack: number
  release: string
  dir: string
  previous: string
}

/** What pre-receive left for this push (same git-receive-pack), or undefined. */
function readPushed(file: string): Pushed | undefined {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Pushed
    rmSync(file, { force: true })
    return p.receivePack === process.ppid ? p : undefined
  } catch (e) {
    if (isErrno(e, 'ENOENT') || e instanceof SyntaxError) return undefined // none left, or a torn one
    throw e
  }
}

async function postReceive(): Promise<void> {
  const app = validateAppName(basename(resolve(process.env.GIT_DIR ?? '.')))
  if (!app.ok) return
  const input = readFileSync(0, 'utf8')
  const updates = parseRefUpdates(input)
  const p = appPaths(app.value)
  releaseLock(p.lock, process.ppid)
  if (!updates.ok) return
  const branches = updates.value.filter((u) => u.branch && !u.deleted)
  const head = readFileSync(join(p.repo, 'HEAD'), 'utf8').trim()
  // git is started only when HEAD may have to change (the first push, or a switch of the deploy branch)
  let deployed = branches.find((u) => head === `ref: ${u.ref}`)
  if (!deployed && branches.length) {
    const { readDeployBranchSetting } = await import('./deploy-branch.js')
    for (const u of branches) {
      if (!isDeployBranch(u.ref, await readDeployBranchSetting(app.value, u.newSha).catch(() => undefined))) continue
      const { writeHeadRef } = await import('../host/git.js')
      await writeHeadRef(p.repo, u.ref)
      deployed = u
      break
    }
  }
  const live = deployed && readPushed(p.pushed)
  if (!live) return
  const { runHookScripts, hasHookScripts } = await import('./hook-scripts.js')
  if (!hasHookScripts('post-receive', app.value)) return
  const { openDeployLog } = await import('../state/deploy-log.js')
  const deployLog = openDeployLog(app.value, live.release, undefined, true)
  try {
    await runHookScripts('post-receive', app.value, {
      cwd: live.dir,
      input,
      env: { PIKU_APP: app.value, PIKU_RELEASE: live.release, PIKU_RELEASE_DIR: live.dir, PIKU_PREVIOUS_RELEASE: live.previous },
    })
  } finally {
    deployLog.close()
  }
}

/** The hook's entry: never fails the push (the refs already moved); problems are warnings. */
export async function main(): Promise<void> {
  try {
    await postReceive()
  } catch (e) {
    log.warn(`post-receive: ${(e as Error)?.message ?? e}`)
  }
}
