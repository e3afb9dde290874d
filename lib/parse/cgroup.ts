// parse/cgroup: memory cgroups as data (pure). Where a user's subtree goes on a host (cgroup v1 or v2, with or
// without systemd), which files cap one worker instance, and what a group's counters say (usage, peak, how
// often it hit its cap, how often the kernel killed in it).

export type CgroupVersion = 1 | 2

/** What install.sh's host-setup found on the host (read by lib/host/cgroups.ts). */
export interface CgroupHostFacts {
  mount: string // where cgroups are mounted: /sys/fs/cgroup
  v1Memory: boolean // a v1 memory hierarchy at MOUNT/memory (memory.limit_in_bytes there)
  v2: boolean // MOUNT itself is cgroup2 (cgroup.controllers there)
  v2Controllers: string[] // MOUNT/cgroup.controllers
  systemd: boolean // /run/systemd/system exists
}

/** Where a user's memory subtree is, and who makes it: install.sh (as root) or systemd (Delegate=yes). */
export type SubtreePlan =
  | { ok: true; version: CgroupVersion; path: string; by: 'install' | 'systemd' }
  | { ok: false; reason: string }

export function planMemorySubtree(f: CgroupHostFacts, user: string): SubtreePlan {
  if (f.v2 && f.v2Controllers.includes('memory')) {
    // systemd owns the v2 tree: the emperor's unit gets its own subtree delegated (Delegate=yes)
    if (f.systemd) return { ok: true, version: 2, path: `${f.mount}/system.slice/piku-hooks-emperor-${user}.service`, by: 'systemd' }
    return { ok: true, version: 2, path: `${f.mount}/piku-hooks-${user}`, by: 'install' }
  }
  if (f.v1Memory) return { ok: true, version: 1, path: `${f.mount}/memory/piku-hooks-${user}`, by: 'install' }
  if (f.v2) return { ok: false, reason: `the cgroup v2 tree at ${f.mount} has no memory controller (cgroup.controllers: ${f.v2Controllers.join(' ') || 'none'})` }
  return { ok: false, reason: `no memory cgroup controller on this host (neither ${f.mount}/memory nor a cgroup v2 tree with memory at ${f.mount})` }
}

/** The files (in order) that cap one group at `bytes`; `optional` ones are written only where they exist. */
export function planGroupLimits(version: CgroupVersion, bytes: number): { file: string; value: string; optional: boolean }[] {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`invalid memory cap: ${bytes}`)
  return version === 2
    ? [
        { file: 'memory.max', value: String(bytes), optional: false },
        { file: 'memory.swap.max', value: '0', optional: true }, // held to the cap, not pushed into swap
      ]
    : [
        { file: 'memory.limit_in_bytes', value: String(bytes), optional: false },
        { file: 'memory.memsw.limit_in_bytes', value: String(bytes), optional: true }, // memory + swap; after the first
      ]
}

/** A group's counters, as ps and doctor show them. */
export interface GroupStats {
  usage: number // bytes now (v1 counts page cache too)
  peak?: number
  limit?: number // what the kernel enforces (undefined: no limit)
  hits: number // times usage reached the cap (v1 memory.failcnt, v2 memory.events max)
  oomKills: number // processes the kernel killed for it (v1 oom_control oom_kill, v2 memory.events oom_kill)
}

const UNLIMITED = 2 ** 62 // v1 reports "no limit" as a page-rounded 2^63-1

function num(text: string | undefined): number | undefined {
  const n = Number((text ?? '').trim())
  return text !== undefined && text.trim() !== '' && Number.isFinite(n) ? n : undefined
}

/** `key value` lines (memory.events, memory.oom_control) as a record. */
export function parseKeyedCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s*$/.exec(line)
    if (m) out[m[1]] = Number(m[2])
  }
  return out
}

/** The counters of one group from the text of its files (file name -> content; a missing file is undefined). */
export function parseGroupStats(version: CgroupVersion, files: Record<string, string | undefined>): GroupStats {
  if (version === 2) {
    const events = parseKeyedCounters(files['memory.events'] ?? '')
    const max = (files['memory.max'] ?? '').trim()
    return {
      usage: num(files['memory.current']) ?? 0,
      peak: num(files['memory.peak']),
      limit: max === '' || max === 'max' ? undefined : num(max),
      hits: events.max ?? 0,
      oomKills: events.oom_kill ?? 0,
    }
  }
  const limit = num(files['memory.limit_in_bytes'])
  return {
    usage: num(files['memory.usage_in_bytes']) ?? 0,
    peak: num(files['memory.max_usage_in_bytes']),
    limit: limit === undefined || limit >= UNLIMITED ? undefined : limit,
    hits: num(files['memory.failcnt']) ?? 0,
    oomKills: parseKeyedCounters(files['memory.oom_control'] ?? '').oom_kill ?? 0,
  }
}

/** The files parseGroupStats reads. */
export function statFiles(version: CgroupVersion): string[] {
  return version === 2
    ? ['memory.current', 'memory.peak', 'memory.max', 'memory.events']
    : ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.failcnt', 'memory.oom_control']
}
