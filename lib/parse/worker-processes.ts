// parse/worker-processes: which processes are an app's workers (pure): the instances of an activation from its
// vassal names, each instance's uwsgi master (named `APP:KIND.N uWSGI master`, procname-prefix-spaced) and
// everything under it, and workers whose activation has no vassal file any more. Layout names come from
// state/paths.ts through the caller: parsed vassal names, the instance file prefix, the activations' run folder.

/** A process of our own user, as host/proc.ts reads it from /proc. */
export interface ProcInfo {
  pid: number
  ppid: number
  cmdline: string // NUL separators turned into spaces, trimmed
  rssKb: number
  start: number // start time in clock ticks since boot
}

export interface Instance {
  kind: string
  n: number
}

/** A vassal file name as paths.parseVassalName reads it. */
export interface VassalName extends Instance {
  app: string
  token: string
}

export interface InstanceStatus extends Instance {
  pid?: number // the uwsgi master
  pids: number[] // the master and everything under it
  rssKb: number
}

export interface OrphanWorker {
  pid: number
  token: string
  cmdline: string
}

/** The instances of one activation of `app`, by kind then number, from its parsed vassal names. */
export function activationInstances(vassals: VassalName[], app: string, token: string): Instance[] {
  return vassals
    .filter((v) => v.app === app && v.token === token)
    .map((v) => ({ kind: v.kind, n: v.n }))
    .sort((a, b) => (a.kind === b.kind ? a.n - b.n : a.kind < b.kind ? -1 : 1))
}

/**
 * Find each instance's master among `procs`: named `APP:KIND.N uWSGI master`; when several are (a restart in
 * progress), the one whose children run a file of the instance in the live activation's folder (`filesOf`:
 * the path every such file starts with, e.g. `apps/APP/run/TOKEN/KIND.N.`), else the newest. Then collect
 * every descendant and sum their memory. A master not ours whose tree runs a file from `runRoot` (the app's
 * activations' run folder) belongs to another activation and is never taken.
 */
export function matchInstances(procs: ProcInfo[], app: string, instances: Instance[], filesOf: (i: Instance) => string, runRoot: string): InstanceStatus[] {
  const runPrefix = runRoot.endsWith('/') ? runRoot : runRoot + '/'
  const children = new Map<number, ProcInfo[]>()
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const tree = (root: ProcInfo): ProcInfo[] => [root, ...(children.get(root.pid) ?? []).flatMap(tree)]
  return instances.map((inst) => {
    const title = `${app}:${inst.kind}.${inst.n} `
    const masters = procs.filter((p) => p.cmdline.startsWith(title) && p.cmdline.includes('master'))
    const files = filesOf(inst)
    const ours = masters.filter((m) => tree(m).some((p) => p.cmdline.includes(files)))
    const foreign = masters.filter((m) => !ours.includes(m) && tree(m).some((p) => p !== m && p.cmdline.includes(runPrefix)))
    const candidates = ours.length ? ours : masters.filter((m) => !foreign.includes(m))
    const master = candidates.sort((a, b) => b.start - a.start)[0]
    if (!master) return { ...inst, pids: [], rssKb: 0 }
    const all = tree(master)
    return { ...inst, pid: master.pid, pids: all.map((p) => p.pid), rssKb: all.reduce((s, p) => s + p.rssKb, 0) }
  })
}

/** Processes running a launcher from `runRoot/TOKEN/` of a token not in `known` (the top one of each tree). */
export function findOrphanWorkers(procs: ProcInfo[], runRoot: string, known: Set<string>): OrphanWorker[] {
  const prefix = runRoot.endsWith('/') ? runRoot : runRoot + '/'
  const tokenOf = (p: ProcInfo) => {
    const i = p.cmdline.indexOf(prefix)
    if (i < 0) return undefined
    // the token ends at a `/` (a file of the activation) or a space (the folder itself, bound into a sandbox)
    const m = /^([^/\s]+)(?:[/\s]|$)/.exec(p.cmdline.slice(i + prefix.length))
    return m ? m[1] : undefined
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]))
  const out: OrphanWorker[] = []
  for (const p of procs) {
    const token = tokenOf(p)
    if (!token || known.has(token)) continue
    const parent = byPid.get(p.ppid)
    if (parent && tokenOf(parent) === token) continue
    out.push({ pid: p.pid, token, cmdline: p.cmdline })
  }
  return out
}
