// ps: the app's kinds and counts, and for each running instance its uwsgi master pid, every pid under
// it and their resident memory. Processes are found in /proc: a vassal's master is named
// `APP:KIND.N uWSGI master` (procname-prefix-spaced), and its launcher's command line names the
// activation token, which tells the live activation's master from one of a restart in progress.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { activationDir, hostPaths, vassalPrefix } from '../state/paths.js'
import { readActive, readPlan, currentRelease } from '../state/release.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import { formatInstanceMemory, type InstanceMemory } from '../render/memory-report.js'

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

export interface InstanceStatus extends Instance {
  pid?: number // the uwsgi master
  pids: number[] // the master and everything under it
  rssKb: number
  memory?: InstanceMemory // its memory cap and cgroup counters, when it has a cap
}

/** The instances of an activation, from vassal file names `APP@TOKEN@KIND.N.ini`. */
export function parseVassalNames(files: string[], app: string, token: string): Instance[] {
  const prefix = vassalPrefix(app, token)
  const out: Instance[] = []
  for (const f of files) {
    if (!f.startsWith(prefix) || !f.endsWith('.ini')) continue
    const m = /^([A-Za-z][A-Za-z0-9_-]*)\.(\d+)$/.exec(f.slice(prefix.length, -'.ini'.length))
    if (m) out.push({ kind: m[1], n: Number(m[2]) })
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
    const launcher = `${runDir}/${inst.kind}.${inst.n}.`
    const ours = masters.filter((m) => tree(m).some((p) => p.cmdline.includes(launcher)))
    const foreign = masters.filter((m) => !ours.includes(m) && tree(m).some((p) => p !== m && /\/run\/[^/]+\/[^/]+\.sh\b/.test(p.cmdline)))
    const candidates = ours.length ? ours : masters.filter((m) => !foreign.includes(m))
    const master = candidates.sort((a, b) => b.start - a.start)[0]
    if (!master) return { ...inst, pids: [], rssKb: 0 }
    const all = tree(master)
    return { ...inst, pid: master.pid, pids: all.map((p) => p.pid), rssKb: all.reduce((s, p) => s + p.rssKb, 0) }
  })
}

/** Processes of our own user, from /proc. */
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

export interface PsReport {
  app: string
  release?: string
  running: boolean
  stopped: boolean
  scaling: Record<string, number>
  instances: InstanceStatus[]
}

export async function readPs(app: string): Promise<PsReport> {
  const { readAppState } = await import('../state/app-state.js')
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
    if (plan?.memory) {
      const { readAppMemory } = await import('../state/instance-memory.js')
      const memory = readAppMemory(app, active.token, plan.memory, instances).instances
      instances.forEach((i, k) => memory[k].cap && (i.memory = memory[k]))
    }
  }
  return { app, release, running: instances.some((i) => i.pid !== undefined), stopped: readAppState(app).stopped === true, scaling, instances }
}

export function renderPs(r: PsReport): string {
  const lines = Object.entries(r.scaling).map(([k, n]) => `${k}:${n}`)
  if (r.stopped) lines.push('', `${r.app} is stopped (deploy or restart starts it)`)
  else if (!r.release) lines.push('', `${r.app} has not been deployed yet`)
  if (r.instances.length) {
    lines.push('')
    const w = Math.max(...r.instances.map((i) => `${i.kind}.${i.n}`.length))
    for (const i of r.instances) {
      const name = `${i.kind}.${i.n}`.padEnd(w)
      const memory = i.memory ? `  ${formatInstanceMemory(i.memory)}` : ''
      lines.push(i.pid === undefined ? `${name}  not running${memory}` : `${name}  pid ${String(i.pid).padEnd(7)} ${(i.rssKb / 1024).toFixed(1).padStart(7)} MB  ${i.pids.length} process${i.pids.length === 1 ? '' : 'es'}${memory}`)
    }
  }
  return lines.join('\n') + '\n'
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: ps APP [--json]')
  const report = await readPs(app)
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderPs(report))
  return 0
}
