// state/instance-memory: read each running instance's memory cap and cgroup counters (for ps and doctor). Light on
// purpose: ps loads it, so no deploy or logging modules.
import { join } from 'node:path'
import { memoryGroupName } from './paths.js'
import { probeSubtree, readGroupStats } from '../host/cgroups.js'
import type { MemoryCap } from '../parse/memory.js'
import type { InstanceMemory } from '../render/memory-report.js'

export interface AppMemory {
  instances: InstanceMemory[]
  unenforced?: string // why caps are not enforced on this host, when the app has some
}

/** `subtree`: host.env's MEMORY_CGROUP (read by the caller). */
export function readAppMemory(app: string, token: string, caps: Record<string, MemoryCap> | undefined, instances: { kind: string; n: number }[], subtree: string | undefined): AppMemory {
  const out: InstanceMemory[] = instances.map((i) => ({ kind: i.kind, n: i.n, cap: caps?.[i.kind] }))
  if (!out.some((i) => i.cap)) return { instances: out }
  const probe = probeSubtree(subtree)
  if (!probe.ok || !subtree) return { instances: out, unenforced: probe.ok ? undefined : probe.reason }
  for (const i of out) {
    if (!i.cap) continue
    const dir = join(subtree, memoryGroupName(app, token, i.kind, i.n))
    const stats = readGroupStats(dir, probe.version)
    if (stats) Object.assign(i, { group: dir, stats })
  }
  return { instances: out }
}
