// host/memory: how much memory this host gives us: the smallest of its RAM and every memory cgroup limit
// above this process (cgroup v2 memory.max, v1 memory.limit_in_bytes), read from /proc and /sys.
import { readFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { isErrno } from '../errors.js'

/** The limits named by /proc/self/cgroup text, as files to read, innermost first. Pure. */
export function planLimitFiles(procCgroup: string, root = '/sys/fs/cgroup'): string[] {
  const files: string[] = []
  for (const line of procCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line)
    if (!m) continue
    const controllers = m[1]
    const path = m[2]
    const v1 = controllers.split(',').includes('memory')
    if (controllers !== '' && !v1) continue
    const [base, file] = v1 ? [join(root, 'memory'), 'memory.limit_in_bytes'] : [root, 'memory.max']
    for (let p = path; ; p = dirname(p)) {
      files.push(join(base, p, file))
      if (p === '/') break
    }
  }
  return files
}

/** Bytes this process may use: min(RAM, every cgroup limit above it); an unreadable or "max" limit does not count. */
export function readMemoryLimit(): number {
  let limit = totalmem()
  let procCgroup = ''
  try {
    procCgroup = readFileSync('/proc/self/cgroup', 'utf8')
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return limit // no /proc (not Linux): the RAM alone
    throw e
  }
  for (const file of planLimitFiles(procCgroup)) {
    try {
      const v = Number(readFileSync(file, 'utf8').trim())
      if (Number.isFinite(v) && v > 0) limit = Math.min(limit, v)
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e // that controller is not mounted there
    }
  }
  return limit
}
