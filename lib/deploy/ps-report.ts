// ps-report: what ps says about an app, read from disk and /proc without changing anything: its kinds and
// counts, each instance of the live activation (its uwsgi master, the pids under it, their memory and its cap),
// the other activations the journal knows (starting, draining, orphaned: doctor and the next deploy clean them)
// and workers whose activation has no vassal file any more.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { activationDir, activationsRunRoot, hostPaths, instanceFilePrefix, parseVassalName, vassalName } from '../state/paths.js'
import { readActive, readPlan, currentRelease } from '../state/release.js'
import { readAppState } from '../state/app-state.js'
import { planRecovery } from '../state/activations.js'
import { gatherRecoveryInput } from './recover.js'
import { readProcesses } from '../host/proc.js'
import { activationInstances, findOrphanWorkers, matchInstances, type VassalName } from '../parse/worker-processes.js'
import type { OtherActivation, PsInstance, PsReport } from '../render/ps.js'
import { isErrno } from '../errors.js'

/** The parsed vassal file names of the host (every app's). */
function readVassalNames(): VassalName[] {
  const dir = hostPaths().vassals
  return (existsSync(dir) ? readdirSync(dir) : []).flatMap((f) => parseVassalName(f) ?? [])
}

/** The other activations of `app` than `active`, from what recovery would plan (read only). */
function readOtherActivations(app: string, vassals: VassalName[], active: string | undefined): { others: OtherActivation[]; liveToken?: string } {
  const input = gatherRecoveryInput(app)
  const rp = planRecovery(app, input)
  const names = (token: string) => activationInstances(vassals, app, token).map((i) => `${i.kind}.${i.n}`)
  const others: OtherActivation[] = []
  for (const k of rp.keep) {
    const r = input.records.find((x) => x.token === k.token)
    others.push({ token: k.token, release: r?.release, state: r?.state === 'starting' ? 'starting' : 'draining', instances: names(k.token), why: k.why })
  }
  for (const r of rp.remove) if (r.vassals.length) others.push({ token: r.token, release: r.release, state: 'orphan', instances: names(r.token), why: r.why })
  return { others, liveToken: rp.live?.token ?? active }
}

/** Whether the live activation's first vassal was started without entering a sandbox. */
function liveUnsandboxed(app: string, token: string, vassals: VassalName[]): boolean {
  const first = vassals.find((v) => v.app === app && v.token === token)
  if (!first) return false
  try {
    return !/^privileged-binary-patch-arg = /m.test(readFileSync(join(hostPaths().vassals, vassalName(app, token, first.kind, first.n)), 'utf8'))
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // the vassal went meanwhile
    return false
  }
}

/** What ps shows. The memory modules (cgroups, host.env) load only for an app with caps: ps starts fast. */
export async function readPs(app: string): Promise<PsReport> {
  const active = readActive(app)
  const release = active?.release ?? currentRelease(app)
  const plan = release ? readPlan(app, release) : undefined
  const scaling: Record<string, number> = {}
  for (const p of plan?.processes ?? []) scaling[p.kind] = p.count
  let instances: PsInstance[] = []
  const procs = readProcesses()
  const vassals = readVassalNames()
  if (active) {
    const runDir = activationDir(app, active.token)
    instances = matchInstances(procs, app, activationInstances(vassals, app, active.token), (i) => join(runDir, instanceFilePrefix(i.kind, i.n)), activationsRunRoot(app))
  }
  if (active && plan?.memory) {
    const [{ readAppMemory }, { readHostSettings }] = await Promise.all([import('../state/instance-memory.js'), import('../state/host-settings.js')])
    const memory = readAppMemory(app, active.token, plan.memory, instances, readHostSettings().memoryCgroup).instances
    instances.forEach((i, k) => memory[k].cap && (i.memory = memory[k]))
  }
  const { others, liveToken } = readOtherActivations(app, vassals, active?.token)
  const known = new Set([...(liveToken ? [liveToken] : []), ...others.map((o) => o.token)])
  const orphanWorkers = findOrphanWorkers(procs, activationsRunRoot(app), known)
  const state = readAppState(app)
  const unsandboxed = active ? liveUnsandboxed(app, active.token, vassals) : false
  return { ...(unsandboxed ? { unsandboxed } : {}), app, release, running: instances.some((i) => i.pid !== undefined), stopped: state.stopped === true, ...(state.maintenance ? { maintenance: state.maintenance } : {}), scaling, instances, others, orphanWorkers }
}
