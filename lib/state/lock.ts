// lock: one deploy at a time per app. A lock file names its owner's pid; a dead owner's lock is stale.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { pidAlive, sleep } from '../host/wait.js'
import { UserError } from '../errors.js'

export interface LockInfo {
  pid: number
  what: string
  since: string
}

function tryCreate(path: string, info: LockInfo): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600)
    writeSync(fd, JSON.stringify(info))
    closeSync(fd)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

export function readLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo
  } catch {
    return undefined
  }
}

/**
 * Take the app's lock for `owner` (a pid that outlives us when the lock must survive this process,
 * such as git-receive-pack for a push). Waits up to `waitMs`, saying so once.
 */
export async function acquireLock(path: string, owner: number, what: string, waitMs = 600_000): Promise<void> {
  mkdirSync(dirname(path), { recursive: true })
  const info: LockInfo = { pid: owner, what, since: new Date().toISOString() }
  const deadline = Date.now() + waitMs
  let told = false
  for (;;) {
    if (tryCreate(path, info)) return
    const held = readLock(path)
    if (!held || !pidAlive(held.pid)) {
      try {
        unlinkSync(path) // stale: its owner is gone
      } catch {}
      continue
    }
    if (held.pid === owner) return
    if (Date.now() > deadline) throw new UserError(`another ${held.what} is still running (since ${held.since}); try again later`)
    if (!told) {
      const log = await import('../log.js')
      log.step(`waiting for another ${held.what} of this app to finish`)
      told = true
    }
    await sleep(250)
  }
}

export function releaseLock(path: string, owner: number): void {
  const held = readLock(path)
  if (held && held.pid !== owner) return
  try {
    unlinkSync(path)
  } catch {}
}
