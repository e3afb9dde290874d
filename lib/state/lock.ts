// lock: one deploy (or keys change) at a time. A lock file appears whole in one step (temp file, then link()),
// and names its owner: pid, the owner's start time (from /proc/PID/stat) and the boot it belongs to. It is
// stale only when that owner is gone: the pid does not run, runs a different process (started at another
// time), or the lock was taken before this boot. An unreadable lock (written by an older toolkit that
// created it empty and wrote it after) is held for a short grace period, then stale.
import { closeSync, fstatSync, linkSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { createFileAtomic } from '../host/atomic-file.js'
import { sleep } from '../host/wait.js'
import { UserError, isErrno } from '../errors.js'

export interface LockInfo {
  pid: number
  what: string
  since: string
  boot?: string // /proc/sys/kernel/random/boot_id when taken
  start?: number // the owner's start time in clock ticks after boot (field 22 of /proc/PID/stat)
}

/** An unreadable lock younger than this may still be being written by an older toolkit. */
export const UNREADABLE_GRACE_MS = 5_000

export type LockState = { state: 'held'; info: LockInfo } | { state: 'stale'; why: string } | { state: 'young-unreadable' }

/** What the system says about a lock's owner, gathered by the caller (pure decision below). */
export interface OwnerFacts {
  bootId: string | undefined // this boot's id
  ownerStart: number | undefined // start time of the process now holding the lock's pid; undefined if none runs
  ageMs: number // since the lock file was last modified
}

/** The staleness decision, pure: held, stale (and why), or too young to judge when unreadable. */
export function planLockState(held: LockInfo | undefined, facts: OwnerFacts): LockState {
  if (!held || !Number.isInteger(held.pid) || held.pid <= 0) {
    return facts.ageMs < UNREADABLE_GRACE_MS ? { state: 'young-unreadable' } : { state: 'stale', why: 'unreadable' }
  }
  if (held.boot && facts.bootId && held.boot !== facts.bootId) return { state: 'stale', why: 'taken before this boot' }
  if (facts.ownerStart === undefined) return { state: 'stale', why: `owner ${held.pid} is gone` }
  if (held.start !== undefined && held.start !== facts.ownerStart) return { state: 'stale', why: `pid ${held.pid} now belongs to another process` }
  return { state: 'held', info: held }
}

/** Parse a lock file's text; undefined when it is not a lock record. */
export function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo
    return v && typeof v === 'object' && typeof v.pid === 'number' ? v : undefined
  } catch {
    // pure parsing: JSON.parse fails only with a SyntaxError
    return undefined
  }
}

// --- the edges

let bootIdCache: string | undefined
export function readBootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no /proc here
      return undefined
    }
  }
  return bootIdCache
}

/** Start time (clock ticks after boot) of a running, non-zombie process; undefined when none runs. */
export function processStart(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // from field 3 (state) on
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined
    return Number(fields[19])
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ESRCH', 'EACCES', 'EPERM')) throw e // gone (ESRCH: while we read), or another user's (hidepid): not the owner
    return undefined
  }
}

/** Who owns a process, as a lock or a journal records it: pid, start time, boot. */
export function ownerOf(pid: number): { pid: number; start?: number; boot?: string } {
  return { pid, start: processStart(pid), boot: readBootId() }
}

/** Whether a recorded owner still runs (same pid, same start time, same boot). */
export function ownerAlive(o: { pid: number; start?: number; boot?: string } | undefined): boolean {
  if (!o) return false
  const s = planLockState({ pid: o.pid, what: '', since: '', start: o.start, boot: o.boot }, { bootId: readBootId(), ownerStart: processStart(o.pid), ageMs: Infinity })
  return s.state === 'held'
}

/** Read a lock with the inode it was read from (so a stale one is removed only if it is still that file). */
function readLockFile(path: string): { info: LockInfo | undefined; ino: number; mtimeMs: number } | undefined {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no lock
    return undefined
  }
  try {
    const st = fstatSync(fd)
    const buf = Buffer.alloc(Math.min(st.size, 4096))
    const n = st.size ? readSync(fd, buf, 0, buf.length, 0) : 0
    return { info: parseLock(buf.subarray(0, n).toString('utf8')), ino: st.ino, mtimeMs: st.mtimeMs }
  } finally {
    closeSync(fd)
  }
}

export function readLock(path: string): LockInfo | undefined {
  return readLockFile(path)?.info
}

/** Remove the lock at `path` if it is still the file with inode `ino` (another may have replaced it). */
function removeIfSame(path: string, ino: number): void {
  const aside = `${path}.stale.${process.pid}`
  try {
    renameSync(path, aside)
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return // gone already
    throw e
  }
  try {
    if (statSync(aside).ino !== ino) {
      // a fresh lock was taken meanwhile: put it back (link fails only if yet another appeared)
      try {
        linkSync(aside, path)
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw e
      }
    }
  } finally {
    try {
      unlinkSync(aside)
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e
    }
  }
}

/** One attempt: true when the lock is ours now. `stale` is told why a stale lock was removed. */
function tryTake(path: string, info: LockInfo, owner: number): { ok: true } | { ok: false; held?: LockInfo } {
  if (createFileAtomic(path, JSON.stringify(info) + '\n', 0o600)) return { ok: true }
  const found = readLockFile(path)
  if (!found) return { ok: false } // removed meanwhile: try again
  const s = planLockState(found.info, { bootId: readBootId(), ownerStart: found.info ? processStart(found.info.pid) : undefined, ageMs: Date.now() - found.mtimeMs })
  if (s.state === 'stale') {
    removeIfSame(path, found.ino)
    return { ok: false }
  }
  if (s.state === 'held' && s.info.pid === owner && (s.info.start === undefined || s.info.start === info.start)) return { ok: true }
  return { ok: false, held: s.state === 'held' ? s.info : { pid: 0, what: 'lock holder (still writing its lock)', since: 'a moment ago' } }
}

function lockInfo(owner: number, what: string): LockInfo {
  const o = ownerOf(owner)
  return { pid: owner, what, since: new Date().toISOString(), ...(o.boot ? { boot: o.boot } : {}), ...(o.start !== undefined ? { start: o.start } : {}) }
}

/**
 * Take the lock for `owner` (a pid that outlives us when the lock must survive this process, such as
 * git-receive-pack for a push). Waits up to `waitMs`, saying so once.
 */
export async function acquireLock(path: string, owner: number, what: string, waitMs = 600_000): Promise<void> {
  const info = lockInfo(owner, what)
  const deadline = Date.now() + waitMs
  let told = false
  for (;;) {
    const r = tryTake(path, info, owner)
    if (r.ok) return
    if (!r.held) continue
    if (Date.now() > deadline) throw new UserError(`another ${r.held.what} is still running (since ${r.held.since}); try again later`)
    if (!told) {
      const log = await import('../log.js')
      log.step(`waiting for another ${r.held.what} of this app to finish`)
      told = true
    }
    await sleep(250)
  }
}

/** Take the lock only if it is free now (stale locks are cleared); returns whether it is ours. */
export function tryLock(path: string, owner: number, what: string): boolean {
  const info = lockInfo(owner, what)
  for (let i = 0; i < 5; i++) {
    const r = tryTake(path, info, owner)
    if (r.ok) return true
    if (r.held) return false
  }
  return false
}

export function releaseLock(path: string, owner: number): void {
  const found = readLockFile(path)
  if (!found) return
  if (found.info && found.info.pid !== owner) return
  if (!found.info && Date.now() - found.mtimeMs < UNREADABLE_GRACE_MS) return
  removeIfSame(path, found.ino)
}
