// instances: an app's running workers, for `ps`. The live activation's vassal files say which instances
// should run; /proc says which uwsgi master runs each (named `APP:KIND.N uWSGI master` by
// procname-prefix-spaced), every pid under it and their memory.
import { existsSync, readdirSync } from 'node:fs'
import { activationDir, hostPaths, launcherName, parseVassalName } from './paths.js'
import { readActive, readPlan, currentRelease } from './release.js'
import { readAppState } from './app-state.js'
import { readProcesses, type ProcInfo } from '../host/proc.js'
import type { Instance, InstanceStatus, PsReport } from '../render/ps.js'

/** The instances of an activation, from vassal file names (paths.vassalName), by kind then number. */
export function parseVassalNames(files: string[], app: string, token: string): Instance[] {
  const out: Instance[] = []
  for (const f of files) {
    const v = parseVassalName(f)
    if (v && v.app === app && v.token === token) out.push({ kind: v.kind, n: v.n })
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.n - b.n : a.kind < b.kind ? -1 : 1))
}

/**
 * Find each instance's master among `procs`: named `APP:KIND.N uWSGI master`; when several are (a
 * restart in progress), the one whose children run a launcher from `runDir` (the live activation's
 * folder), else the newest. Then collect every descendant and sum their memory.
 */
export function matchInstances(procs: ProcInfo[], app: string, runDir: string, instances: Instance[]): InstanceStatus[] {
  const children = new Map<number, ProcInfo[]>()
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const tree = (root: ProcInfo): ProcInfo[] => [root, ...(children.get(root.pid) ?? []).flatMap(tree)]
  return instances.map((inst) => {
    const title = `${app}:${inst.kind}.${inst.n} `
    const masters = procs.filter((p) => p.cmdline.startsWith(title) && p.cmdline.includes('master'))
    const launcher = `${runDir}/${launcherName(inst.kind, inst.n)}`
    const ours = masters.filter((m) => tree(m).some((p) => p.cmdline.includes(launcher)))
    const foreign = masters.filter((m) => !ours.includes(m) && tree(m).some((p) => p !== m && /\/run\/[^/]+\/[^/]+\.sh\b/.test(p.cmdline)))
    const candidates = ours.length ? ours : masters.filter((m) => !foreign.includes(m))
    const master = candidates.sort((a, b) => b.start - a.start)[0]
    if (!master) return { ...inst, pids: [], rssKb: 0 }
    const all = tree(master)
    return { ...inst, pid: master.pid, pids: all.map((p) => p.pid), rssKb: all.reduce((s, p) => s + p.rssKb, 0) }
  })
}

export function readPs(app: string): PsReport {
  const active = readActive(app)
  const release = active?.release ?? currentRelease(app)
  const plan = release ? readPlan(app, release) : undefined
  const scaling: Record<string, number> = {}
  for (const p of plan?.processes ?? []) scaling[p.kind] = p.count
  let instances: InstanceStatus[] = []
  if (active) {
    const dir = hostPaths().vassals
    const files = existsSync(dir) ? readdirSync(dir) : []
    instances = matchInstances(readProcesses(), app, activationDir(app, active.token), parseVassalNames(files, app, active.token))
  }
  return { app, release, running: instances.some((i) => i.pid !== undefined), stopped: readAppState(app).stopped === true, scaling, instances }
}
