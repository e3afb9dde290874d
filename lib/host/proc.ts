// proc: what /proc says about processes: those of our own user (pid, parent, command line, resident memory, start
// time), and whether the process a pid file names still runs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import type { ProcInfo } from '../parse/worker-processes.js'
import { isErrno } from '../errors.js'

/** Processes of our own user, from /proc; zombies and processes gone while we looked are left out. */
export function readProcesses(): ProcInfo[] {
  const uid = process.getuid?.()
  const out: ProcInfo[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (uid !== undefined && statSync(`/proc/${d}`).uid !== uid) continue
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // from field 3 (state) on
      if (fields[0] === 'Z') continue
      const rss = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))
      out.push({
        pid: Number(d),
        ppid: Number(fields[1]),
        cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
        rssKb: rss ? Number(rss[1]) : 0,
        start: Number(fields[19]),
      })
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ESRCH', 'EACCES')) throw e // gone while we looked, or hidden from us (hidepid)
    }
  }
  return out
}

/** The pid written in `pidFile` when that process runs, is named `comm` and has not exited; else undefined. */
export function readLivePid(pidFile: string, comm: string): number | undefined {
  const read = (f: string) => readFileSync(f, 'utf8')
  try {
    const pid = Number(read(pidFile).trim())
    if (!Number.isInteger(pid) || pid <= 0) return undefined
    if (read(`/proc/${pid}/comm`).trim() !== comm) return undefined
    // an exited process nobody reaped yet (state Z) is not running
    return /\) Z /.test(read(`/proc/${pid}/stat`)) ? undefined : pid
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ESRCH', 'EACCES', 'EPERM')) throw e // no pid file, the process is gone, or it is another user's (hidepid)
    return undefined
  }
}
