// atomic-file: the one way a file or a symlink is replaced. Write to a temp name beside the target,
// optionally validate it, then rename: readers see the old file or the new, never half (no heavy imports:
// modules on the start-up path of a verb use it).
import { chmodSync, chownSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface AtomicWriteOptions {
  owner?: { uid: number; gid: number } // chown the file before it is moved into place (root's install)
  /** Checked on the temp file before the swap; a thrown error removes it and leaves the target as it was. */
  validate?: (tmp: string) => void
}

/** A temp name beside `path`: a leading dot and a `.tmp` suffix, so that neither nginx's conf.d/*.conf
 *  nor sudo's includedir picks it up. */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
}

/** Write `content` to `path` with `mode` (umask does not apply) through a temp file and one rename. */
export function writeFileAtomic(path: string, content: string, mode = 0o600, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = tempBeside(path)
  const fd = openSync(tmp, 'w', mode)
  try {
    writeSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    chmodSync(tmp, mode)
    if (options.owner) chownSync(tmp, options.owner.uid, options.owner.gid)
    options.validate?.(tmp)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  renameSync(tmp, path)
}

/** Point the symlink `link` at `target` with one rename (a `current`, a `live`, a repo hook). */
export function swapSymlink(link: string, target: string): void {
  const tmp = tempBeside(link)
  rmSync(tmp, { force: true })
  symlinkSync(target, tmp)
  renameSync(tmp, link)
}
