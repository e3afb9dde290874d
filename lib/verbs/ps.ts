// ps: the app's kinds and counts, and for each running instance its uwsgi master pid, every pid under
// it and their resident memory. Processes are found in /proc: a vassal's master is named
// `APP:KIND.N uWSGI master` (procname-prefix-spaced), and its launcher's command line names the
// activation token, which tells the live activation's master from one of a restart in progress.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { activationDir, appPaths, hostPaths, vassalPrefix } from '../state/paths.js'
import { readActive, readPlan, currentRelease } from '../state/release.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import { formatInstanceMemory, type InstanceMemory } from '../render/memory-report.js'
import * as log from '../log.js'

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

export interface OrphanWorker {
  pid: number
  token: string
  cmdline: string
}

/** Processes running a launcher from `runRoot/TOKEN/` of a token not in `known` (the top one of each tree). */
export function findOrphanWorkers(procs: ProcInfo[], runRoot: string, known: Set<string>): OrphanWorker[] {
  const prefix = runRoot.endsWith('/') ? runRoot : runRoot + '/'
  const tokenOf = (p: ProcInfo) => {
    const i = p.cmdline.indexOf(prefix)
    if (i < 0) return undefined
    const rest = p.cmdline.slice(i + prefix.length)
    const slash = rest.indexOf('/')
    return slash > 0 ? rest.slice(0, slash) : undefined
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

/** Other activations of the app than the live one: starting (a deploy), draining (replaced), or orphaned. */
export interface OtherActivation {
  token: string
  release?: string
  state: 'starting' | 'draining' | 'orphan'
  instances: string[] // KIND.N of its vassal files
  why: string
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
  maintenance?: string // since when maintenance:on holds
  scaling: Record<string, number>
  instances: InstanceStatus[]
  others: OtherActivation[] // vassal files of no live activation
  orphanWorkers: OrphanWorker[] // processes of an activation that has no vassal file any more
}

export async function readPs(app: string): Promise<PsReport> {
  const { readAppState } = await import('../state/app-state.js')
  const active = readActive(app)
  const release = active?.release ?? currentRelease(app)
  const plan = release ? readPlan(app, release) : undefined
  const scaling: Record<string, number> = {}
  for (const p of plan?.processes ?? []) scaling[p.kind] = p.count
  let instances: InstanceStatus[] = []
  const procs = readProcesses()
  const dir = hostPaths().vassals
  const files = existsSync(dir) ? readdirSync(dir) : []
  if (active) instances = matchInstances(procs, app, activationDir(app, active.token), parseVassalNames(files, app, active.token))
  if (active && plan?.memory) {
    const { readAppMemory } = await import('../state/instance-memory.js')
    const memory = readAppMemory(app, active.token, plan.memory, instances).instances
    instances.forEach((i, k) => memory[k].cap && (i.memory = memory[k]))
  }
  // what the journal says about every other activation (read only: doctor and the next deploy clean)
  const { gatherRecoveryInput } = await import('../deploy/recover.js')
  const { planRecovery } = await import('../state/activations.js')
  const input = gatherRecoveryInput(app)
  const rp = planRecovery(app, input)
  const liveToken = rp.live?.token ?? active?.token
  const names = (token: string) => parseVassalNames(files, app, token).map((i) => `${i.kind}.${i.n}`)
  const others: OtherActivation[] = []
  for (const k of rp.keep) {
    const r = input.records.find((x) => x.token === k.token)
    others.push({ token: k.token, release: r?.release, state: r?.state === 'starting' ? 'starting' : 'draining', instances: names(k.token), why: k.why })
  }
  for (const r of rp.remove) if (r.vassals.length) others.push({ token: r.token, release: r.release, state: 'orphan', instances: names(r.token), why: r.why })
  const known = new Set([...(liveToken ? [liveToken] : []), ...others.map((o) => o.token)])
  const orphanWorkers = findOrphanWorkers(procs, join(appPaths(app).home, 'run'), known)
  const state = readAppState(app)
  return { app, release, running: instances.some((i) => i.pid !== undefined), stopped: state.stopped === true, ...(state.maintenance ? { maintenance: state.maintenance } : {}), scaling, instances, others, orphanWorkers }
}

export function renderPs(r: PsReport): string {
  const lines = Object.entries(r.scaling).map(([k, n]) => `${k}:${n}`)
  if (r.stopped) lines.push('', `${r.app} is stopped (deploy or restart starts it)`)
  else if (!r.release) lines.push('', `${r.app} has not been deployed yet`)
  if (r.maintenance) lines.push('', `${r.app} is in maintenance mode since ${r.maintenance}: every request gets 503 (maintenance:off ${r.app} ends it)`)
  if (r.instances.length) {
    lines.push('')
    const w = Math.max(...r.instances.map((i) => `${i.kind}.${i.n}`.length))
    for (const i of r.instances) {
      const name = `${i.kind}.${i.n}`.padEnd(w)
      const memory = i.memory ? `  ${formatInstanceMemory(i.memory)}` : ''
      lines.push(i.pid === undefined ? `${name}  not running${memory}` : `${name}  pid ${String(i.pid).padEnd(7)} ${(i.rssKb / 1024).toFixed(1).padStart(7)} MB  ${i.pids.length} process${i.pids.length === 1 ? '' : 'es'}${memory}`)
    }
  }
  if (r.others.length || r.orphanWorkers.length) {
    lines.push('')
    for (const o of r.others) {
      const what = o.state === 'orphan' ? `ORPHAN (belongs to no live activation: ${o.why}; doctor or the next deploy removes it)` : `${o.state}: ${o.why}`
      lines.push(`${o.token}  ${o.instances.join(', ') || 'no workers'}  ${what}`)
    }
    for (const w of r.orphanWorkers) lines.push(`pid ${w.pid}  ORPHAN worker of activation ${w.token} (no vassal file; stop it with kill ${w.pid}): ${w.cmdline.slice(0, 80)}`)
  }
  return lines.join('\n') + '\n'
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: ps APP [--json]')
  const report = await readPs(app)
  if (json) log.json(report)
  else log.out(renderPs(report))
  return 0
}
