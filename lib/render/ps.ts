// render/ps: ps's text (pure): the app's kinds and counts, then one line per instance (its uwsgi master, how many
// processes, their resident memory and its memory cap), then other activations and orphaned workers.
import { formatInstanceMemory, type InstanceMemory } from './memory-report.js'
import type { InstanceStatus, OrphanWorker } from '../parse/worker-processes.js'

export interface PsInstance extends InstanceStatus {
  memory?: InstanceMemory // its memory cap and cgroup counters, when it has a cap
}

/** Other activations of the app than the live one: starting (a deploy), draining (replaced), or orphaned. */
export interface OtherActivation {
  token: string
  release?: string
  state: 'starting' | 'draining' | 'orphan'
  instances: string[] // KIND.N of its vassal files
  why: string
}

export interface PsReport {
  app: string
  release?: string
  running: boolean
  stopped: boolean
  maintenance?: string // since when maintenance:on holds
  scaling: Record<string, number>
  instances: PsInstance[]
  others: OtherActivation[] // vassal files of no live activation
  orphanWorkers: OrphanWorker[] // processes of an activation that has no vassal file any more
  unsandboxed?: boolean // the live workers were started without a sandbox (doctor says why)
}

export function renderPs(r: PsReport): string {
  const lines = Object.entries(r.scaling).map(([k, n]) => `${k}:${n}`)
  if (r.stopped) lines.push('', `${r.app} is stopped (deploy or restart starts it)`)
  else if (!r.release) lines.push('', `${r.app} has not been deployed yet`)
  if (r.unsandboxed) lines.push('', `${r.app} runs NOT sandboxed: its workers reach everything the host's user can (doctor says why)`)
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
