// atomic-file: the one way a file or a symlink is replaced, so a crash (power cut, OOM kill, full disk) leaves
// the old content or the new, never a truncated or empty file: write a temp file beside the target, fsync it,
// optionally validate it, rename it into place, fsync the directory. A full disk is reported naming the file
// (DiskFullError). No heavy imports: modules on the start-up path of a verb use it.
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, writeSync, mkdirSync, rmSync, symlinkSync, appendFileSync, linkSync, readdirSync } from 'node:fs'
import { pidAlive } from './wait.js'
import { dirname, join, basename } from 'node:path'
import { UserError, isErrno } from '../errors.js'

/** A write that met ENOSPC (or EDQUOT): one line naming the file and its filesystem being full. */
export class DiskFullError extends UserError {
  path: string
  constructor(path: string, cause?: unknown, what?: string) {
    super(`${what ? `${what}: the filesystem of ${path} is full` : `no space left to write ${path}: its filesystem is full`}; the running release, repo and config are unchanged (free some space, then try again)`)
    this.name = 'DiskFullError'
    this.path = path
    this.cause = cause
  }
}

export interface AtomicWriteOptions {
  owner?: { uid: number; gid: number } // chown the file before it is moved into place (root's install)
  /** Checked on the temp file before the swap; a thrown error removes it and leaves the target as it was. */
  validate?: (tmp: string) => void
}

/** ENOSPC or EDQUOT: the disk (or the user's quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** fsync a directory, so a rename or a new name in it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch (e) {
    // some filesystems refuse fsync on a directory (EINVAL): the rename stands, nothing more to do
    if (!isErrno(e, 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP')) throw e
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.[a-z0-9]{0,8}\.tmp$/

/** The writer's pid of a temp name tempName made, or undefined for any other name (pure). */
export function tempWriter(name: string): number | undefined {
  const m = TEMP_NAME.exec(name)
  return m ? Number(m[2]) : undefined
}

/** Remove the temp files in `dir` whose writer is gone (killed between write and rename); returns their names. */
export function removeDeadTemps(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no folder: no temps
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const pid = tempWriter(name)
    if (pid === undefined || pid === process.pid || pidAlive(pid)) continue
    rmSync(join(dir, name), { force: true })
    removed.push(name)
  }
  return removed
}

/** A temp name beside `path`: a leading dot and a `.tmp` suffix, so that neither nginx's conf.d/*.conf
 *  nor sudo's includedir picks it up. */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`)
}

/** Write `content` to a fresh temp file beside `path` and fsync it; returns the temp name. */
function writeTemp(path: string, content: string | Uint8Array, mode: number, owner?: { uid: number; gid: number }): string {
  const tmp = tempName(path)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', mode)
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content)
    fchmodSync(fd, mode) // the umask may have narrowed it
    if (owner) fchownSync(fd, owner.uid, owner.gid)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    return tmp
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    if (isDiskFull(e)) throw new DiskFullError(path, e)
    throw e
  }
}

/** Write `content` to `path` with `mode` (umask does not apply) so readers see the old content or the new,
 *  never half, and the new survives a crash. */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode = 0o600, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = writeTemp(path, content, mode, options.owner)
  try {
    options.validate?.(tmp)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(dir)
}

/** writeFileAtomic with an async step on the temp file before the swap (an ACL set by setfacl, say): a thrown
 *  error removes the temp file and leaves `path` as it was. */
export async function writeFileAtomicPrepared(path: string, content: string | Uint8Array, mode: number, prepare: (tmp: string) => Promise<void>): Promise<void> {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = writeTemp(path, content, mode)
  try {
    await prepare(tmp)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(dir)
}

/**
 * Create `path` with `content` only if it does not exist yet, in one step: the file appears complete or not
 * at all (temp file, then link(), which fails when the name is taken). Returns false when it existed.
 */
export function createFileAtomic(path: string, content: string, mode = 0o600): boolean {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = writeTemp(path, content, mode)
  try {
    linkSync(tmp, path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    if (isDiskFull(e)) throw new DiskFullError(path, e)
    throw e
  } finally {
    rmSync(tmp, { force: true })
  }
  fsyncDir(dir)
  return true
}

/** Move `from` over `to` (same filesystem) and make the rename durable. */
export function renameDurable(from: string, to: string): void {
  renameSync(from, to)
  fsyncDir(dirname(to))
}

/** Point the symlink `link` at `target` with one rename (a `current`, a `live`, a repo hook). */
export function swapSymlink(link: string, target: string): void {
  const tmp = tempName(link)
  try {
    symlinkSync(target, tmp)
  } catch (e) {
    if (isDiskFull(e)) throw new DiskFullError(link, e)
    throw e
  }
  try {
    renameSync(tmp, link)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(dirname(link))
}

/** Append one record (a line) and fsync it: a crash loses at most a partial last line, which readers skip. */
export function appendDurable(path: string, line: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true })
  let fd: number | undefined
  try {
    fd = openSync(path, 'a', mode)
    appendFileSync(fd, line)
    fsyncSync(fd)
  } catch (e) {
    if (isDiskFull(e)) throw new DiskFullError(path, e)
    throw e
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
