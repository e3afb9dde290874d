// atomic-file: write a file so readers see the old content or the new, never half (no heavy imports:
// modules on the start-up path of a verb use it).
import { closeSync, fsyncSync, openSync, renameSync, writeSync, mkdirSync } from 'node:fs'
import { dirname, join, basename } from 'node:path'

/** Write to a temp name beside the target, then rename: readers see the old file or the new one. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const fd = openSync(tmp, 'w', mode)
  try {
    writeSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}
