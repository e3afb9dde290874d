// host/cgroups: the I/O edge of memory caps. Root side (install.sh's host-setup, piku-boot): make the user's
// subtree and hand it over. User side (activation, ps, doctor, retiring workers): check the subtree can be used,
// make and cap one group per worker instance, read its counters, remove the empty ones.
import { accessSync, chownSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseGroupStats, planGroupLimits, planMemorySubtree, statFiles, type CgroupHostFacts, type CgroupVersion, type GroupStats, type SubtreePlan } from '../parse/cgroup.js'
import { isErrno } from '../errors.js'

export const CGROUP_MOUNT = '/sys/fs/cgroup'

function readIf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ENODEV')) throw e // no such file, or its group went (ENODEV)
    return undefined
  }
}

export function readCgroupHostFacts(mount = CGROUP_MOUNT, systemdDir = '/run/systemd/system'): CgroupHostFacts {
  const controllers = readIf(join(mount, 'cgroup.controllers'))
  return {
    mount,
    v1Memory: existsSync(join(mount, 'memory', 'memory.limit_in_bytes')),
    v2: controllers !== undefined,
    v2Controllers: (controllers ?? '').split(/\s+/).filter(Boolean),
    systemd: existsSync(systemdDir),
  }
}

/**
 * As root: make the user's subtree where install.sh makes it (systemd makes its own) and give it to the user:
 * the folder and the files that let it make child groups and move its own processes into them. Idempotent;
 * a re-run after a reboot (piku-boot) makes it again.
 */
export function setupMemorySubtree(user: string, owner: { uid: number; gid: number }, facts: CgroupHostFacts = readCgroupHostFacts()): SubtreePlan {
  const plan = planMemorySubtree(facts, user)
  if (!plan.ok || plan.by === 'systemd') return plan
  const own = (f: string) => existsSync(f) && chownSync(f, owner.uid, owner.gid)
  try {
    if (plan.version === 2) {
      // memory must be enabled for the children of every level down to the subtree
      const top = join(facts.mount, 'cgroup.subtree_control')
      if (!(readIf(top) ?? '').split(/\s+/).includes('memory')) writeFileSync(top, '+memory')
    }
    mkdirSync(plan.path, { recursive: true, mode: 0o755 })
    if (plan.version === 1) {
      for (const f of ['cgroup.procs', 'tasks']) own(join(plan.path, f))
    } else {
      if (!(readIf(join(plan.path, 'cgroup.subtree_control')) ?? '').split(/\s+/).includes('memory')) writeFileSync(join(plan.path, 'cgroup.subtree_control'), '+memory')
      for (const f of ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) own(join(plan.path, f))
      // v2 moves a process only within a subtree the mover may write: the emperor is started in this leaf
      mkdirSync(join(plan.path, 'emperor'), { mode: 0o755, recursive: true })
      for (const f of ['', 'cgroup.procs', 'cgroup.threads']) own(join(plan.path, 'emperor', f))
    }
    chownSync(plan.path, owner.uid, owner.gid)
  } catch (e) {
    return { ok: false, reason: `could not set up ${plan.path}: ${(e as Error).message}` }
  }
  return plan
}

/** Whether the user's subtree can hold capped groups now: its version, or why not (for the push and doctor). */
export function probeSubtree(path: string | undefined): { ok: true; version: CgroupVersion } | { ok: false; reason: string } {
  if (!path) return { ok: false, reason: 'install.sh found no usable memory cgroup controller on this host (host.env has no MEMORY_CGROUP)' }
  if (!existsSync(path)) return { ok: false, reason: `${path} does not exist (cgroups are cleared at boot: run piku-boot or install.sh as root)` }
  const version: CgroupVersion = existsSync(join(path, 'cgroup.controllers')) ? 2 : 1
  if (version === 1 && !existsSync(join(path, 'memory.limit_in_bytes'))) return { ok: false, reason: `${path} is not in a memory cgroup hierarchy` }
  if (version === 2 && !(readIf(join(path, 'cgroup.subtree_control')) ?? '').split(/\s+/).includes('memory')) {
    return { ok: false, reason: `memory is not enabled in ${path}/cgroup.subtree_control` }
  }
  try {
    accessSync(path, constants.W_OK)
  } catch (e) {
    if (!isErrno(e, 'EACCES', 'EPERM', 'EROFS')) throw e
    return { ok: false, reason: `${path} is not writable by this user (re-run install.sh as root)` }
  }
  return { ok: true, version }
}

/** Make (or reuse) one instance's group and cap it; the error, when it could not. */
export function prepareGroup(dir: string, version: CgroupVersion, bytes: number): string | undefined {
  try {
    if (!existsSync(dir)) mkdirSync(dir)
    for (const l of planGroupLimits(version, bytes)) {
      const f = join(dir, l.file)
      if (l.optional && !existsSync(f)) continue
      try {
        writeFileSync(f, l.value)
      } catch (e) {
        if (!l.optional) throw e
      }
    }
    return undefined
  } catch (e) {
    return `${dir}: ${(e as Error).message}`
  }
}

/** A group's counters; undefined when the group does not exist. */
export function readGroupStats(dir: string, version: CgroupVersion): GroupStats | undefined {
  if (!existsSync(dir)) return undefined
  const files: Record<string, string | undefined> = {}
  for (const f of statFiles(version)) files[f] = readIf(join(dir, f))
  return parseGroupStats(version, files)
}

/** The groups in `subtree` whose names start with `prefix` (an app's, or one activation's). */
export function listGroups(subtree: string | undefined, prefix: string): string[] {
  if (!subtree) return []
  try {
    return readdirSync(subtree, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name.startsWith(prefix))
      .map((e) => e.name)
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no subtree: no groups
    return []
  }
}

/** Remove the empty groups of `names`; those still holding processes stay. Returns the names left. */
export function removeEmptyGroups(subtree: string, names: string[]): string[] {
  const left: string[] = []
  for (const name of names) {
    try {
      rmdirSync(join(subtree, name))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(name)
    }
  }
  return left
}
