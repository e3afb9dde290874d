// app-change: the pattern every changing verb follows: hold the app's lock, change one config file,
// apply it by redeploying the live commit, and put the file back if that deploy fails.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { acquireLock, releaseLock } from '../state/lock.js'
import { currentRelease, readPlan } from '../state/release.js'
import { readAppState } from '../state/app-state.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'

/** Run `fn` holding `app`'s lock (waits for a push or another verb to finish). */
export async function withAppLock<T>(app: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = appPaths(app).lock
  await acquireLock(lock, process.pid, what)
  try {
    return await fn()
  } finally {
    releaseLock(lock, process.pid)
  }
}

/** The commit the live (or, when stopped, the last) release was built from. */
export function currentSha(app: string): string | undefined {
  const id = currentRelease(app)
  return id ? readPlan(app, id)?.sha : undefined
}

export interface FileChange {
  app: string
  file: string // config/APP/ENV or config/APP/SCALING
  text: string // the new content
  reason: 'config' | 'scale'
  key: string // who asked (the ssh key's name)
}

/**
 * Write `change.file`, then redeploy the current commit so it takes effect. When the deploy fails
 * the previous file comes back and the error is passed on: nothing changed. A stopped app, or one
 * never deployed, only gets the file; it applies at the next deploy or restart.
 * The caller holds the app's lock.
 */
export async function applyFileChange(change: FileChange): Promise<void> {
  const before = existsSync(change.file) ? readFileSync(change.file, 'utf8') : undefined
  const restore = () => {
    if (before === undefined) rmSync(change.file, { force: true })
    else writeFileAtomic(change.file, before, 0o600)
  }
  writeFileAtomic(change.file, change.text, 0o600)
  const sha = currentSha(change.app)
  if (!sha) {
    log.info(`"${change.app}" has no release yet: saved, applies at the first push`)
    return
  }
  if (readAppState(change.app).stopped) {
    log.info(`"${change.app}" is stopped: saved, applies when it starts again (deploy or restart)`)
    return
  }
  const { deployRevision } = await import('./deploy.js')
  try {
    await deployRevision({ app: change.app, sha, key: change.key, reason: change.reason })
  } catch (e) {
    restore()
    if (e instanceof UserError) throw new UserError(`${e.message}\nnothing changed: the previous ${change.reason === 'scale' ? 'scaling' : 'config'} is back and the running release keeps serving`)
    throw e
  }
}
