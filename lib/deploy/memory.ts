// deploy/memory: memory caps in a deploy. Before an activation starts anything: check the user's subtree, make
// and cap one group per capped instance and write the script its vassal joins it with (or say, once, that the
// caps are not enforced here). After workers retire: remove their groups once they are empty.
import { join } from 'node:path'
import { activationFile, memoryGroupName, memoryScriptName, vassalPrefix } from '../state/paths.js'
import { listGroups, prepareGroup, probeSubtree, removeEmptyGroups } from '../host/cgroups.js'
import { renderMemoryScript } from '../render/cgroup.js'
import { formatSize, withHeapLimit, type MemoryCap } from '../parse/memory.js'
import { withJavaHeap } from '../parse/jvm.js'
import type { CgroupVersion } from '../parse/cgroup.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import * as log from '../log.js'

export interface MemorySetup {
  caps: Record<string, MemoryCap>
  subtree?: string // set when the caps can be enforced
  version?: CgroupVersion
  problems: string[] // why a cap is not enforced (said once, after the groups are made)
}

export function capLabel(cap: MemoryCap): string {
  return `${formatSize(cap.bytes)} (${cap.key}=${cap.value})`
}

/** Check the host once per activation (`subtree`: host.env's MEMORY_CGROUP); no caps, no checks. */
export function planMemorySetup(caps: Record<string, MemoryCap> | undefined, subtree: string | undefined): MemorySetup {
  const setup: MemorySetup = { caps: caps ?? {}, problems: [] }
  if (!Object.keys(setup.caps).length) return setup
  const probe = probeSubtree(subtree)
  if (probe.ok) {
    setup.subtree = subtree
    setup.version = probe.version
  } else setup.problems.push(probe.reason)
  return setup
}

/**
 * The environment and exec-asap script of one instance: a capped instance gets a Node heap limit and a Java heap
 * (JAVA_TOOL_OPTIONS; `jvms`: how many JVMs share the cap, one per process of a jwsgi vassal) that fit its cap
 * and, where the host can enforce it, its own group (made and capped now) and the script that joins it.
 */
export function prepareInstanceMemory(
  m: MemorySetup,
  at: { app: string; token: string; kind: string; n: number; runDir: string; jvms?: number },
  env: Record<string, string>,
): { env: Record<string, string>; script?: string } {
  const cap = m.caps[at.kind]
  if (!cap) return { env }
  const withHeap = { ...env, NODE_OPTIONS: withHeapLimit(env.NODE_OPTIONS, cap.bytes), JAVA_TOOL_OPTIONS: withJavaHeap(env.JAVA_TOOL_OPTIONS, cap.bytes, at.jvms) }
  if (!m.subtree || !m.version) return { env: withHeap }
  const dir = join(m.subtree, memoryGroupName(at.app, at.token, at.kind, at.n))
  const problem = prepareGroup(dir, m.version, cap.bytes)
  if (problem) {
    m.problems.push(problem)
    return { env: withHeap }
  }
  const script = activationFile(at.app, at.token, memoryScriptName(at.kind, at.n))
  writeFileAtomic(script, renderMemoryScript(`${at.app} ${at.kind}.${at.n}`, { dir, version: m.version, bytes: cap.bytes, label: capLabel(cap) }), 0o700)
  return { env: withHeap, script }
}

/** The push's one line about caps: which are held and by what, or that they are NOT enforced and why. */
export function reportMemorySetup(m: MemorySetup, quiet = false): void {
  const kinds = Object.entries(m.caps)
  if (!kinds.length) return
  const list = kinds.map(([kind, cap]) => `${kind} ${capLabel(cap)}`).join(', ')
  if (m.problems.length) log.warn(`memory caps are NOT enforced on this host (${list}): ${[...new Set(m.problems)].join('; ')}`)
  else if (!quiet) log.info(`memory caps: ${list}, each instance in its own cgroup (v${m.version})`)
}

/** Remove the empty groups of an app (all but `keepToken`'s), or of one activation (`onlyToken`), under `subtree`
 *  (host.env's MEMORY_CGROUP). Returns those left. */
export function removeAppGroups(app: string, subtree: string | undefined, opts: { keepToken?: string; onlyToken?: string } = {}): string[] {
  if (!subtree) return []
  const names = listGroups(subtree, vassalPrefix(app, opts.onlyToken)).filter((n) => !opts.keepToken || !n.startsWith(vassalPrefix(app, opts.keepToken)))
  return names.length ? removeEmptyGroups(subtree, names) : []
}

/** After workers were told to stop: remove their groups as they empty, for at most `timeoutMs`. */
export async function reapGroups(app: string, subtree: string | undefined, opts: { keepToken?: string; onlyToken?: string }, timeoutMs: number): Promise<string[]> {
  const end = Date.now() + timeoutMs
  let left = removeAppGroups(app, subtree, opts)
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250))
    left = removeAppGroups(app, subtree, opts)
  }
  return left
}
