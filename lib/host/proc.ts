// proc: what /proc says about processes: our user's processes (pid, parent, command line, memory, start)
// and whether a pid file names a live process of a given name.
import { readdirSync, readFileSync, statSync } from 'node:fs'

export interface ProcInfo {
  pid: number
  ppid: number
  cmdline: string // NUL separators turned into spaces, trimmed
  rssKb: number
  start: number // start time in clock ticks since boot
}

/** Processes of our own user, from /proc; exited ones nobody reaped (state Z) left out. */
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
    } catch {} // gone while we looked
  }
  return out
}

/** The pid in `file` when it is a running process named `comm` (an exited, unreaped one is not running). */
export function readLivePid(file: string, comm: string): number | undefined {
  const read = (f: string) => readFileSync(f, 'utf8')
  try {
    const pid = Number(read(file).trim())
    if (!Number.isInteger(pid) || pid <= 0) return undefined
    if (read(`/proc/${pid}/comm`).trim() !== comm) return undefined
    return /\) Z /.test(read(`/proc/${pid}/stat`)) ? undefined : pid
  } catch {
    return undefined
  }
}
