// render/memory-report: what ps and doctor say about memory caps (pure): each instance's cap beside its group's
// usage, the instances the kernel had to hold to their cap, and caps a host cannot enforce.
import type { GroupStats } from '../parse/cgroup.js'
import { formatSize, type MemoryCap } from '../parse/memory.js'

export interface InstanceMemory {
  kind: string
  n: number
  cap?: MemoryCap // what the release asks for
  group?: string // the instance's cgroup (present when the host enforces the cap)
  stats?: GroupStats // its counters
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`

/** ps's column: `cap 96M: 41.0 MB used, peak 95.9 MB, 2 OOM kills`, or that the cap is not enforced. */
export function formatInstanceMemory(m: InstanceMemory): string {
  if (!m.cap) return ''
  if (!m.stats) return `cap ${formatSize(m.cap.bytes)} NOT enforced (no memory cgroup; see doctor)`
  const limit = m.stats.limit === undefined ? 'no limit set' : formatSize(m.stats.limit)
  const parts = [`${mb(m.stats.usage)} used`]
  if (m.stats.peak !== undefined) parts.push(`peak ${mb(m.stats.peak)}`)
  if (m.stats.oomKills) parts.push(`${m.stats.oomKills} OOM kill${m.stats.oomKills === 1 ? '' : 's'}`)
  return `cap ${limit}: ${parts.join(', ')}`
}

export interface MemoryCheck {
  name: string
  level: 'ok' | 'warn' | 'FAIL'
  message: string
}

/**
 * doctor's lines for one app: a warn per instance the kernel killed in (held to its cap), with counts; a warn
 * when the app asks for caps the host does not enforce (`unenforced`: why); nothing when no cap is set.
 */
export function planMemoryChecks(app: string, instances: InstanceMemory[], unenforced?: string): MemoryCheck[] {
  const capped = instances.filter((i) => i.cap)
  if (!capped.length) return []
  const name = `memory ${app}`
  if (unenforced) {
    const keys = [...new Set(capped.map((i) => `${i.cap?.key}=${i.cap?.value}`))].join(', ')
    return [{ name, level: 'warn', message: `${keys} NOT enforced: ${unenforced}` }]
  }
  const out: MemoryCheck[] = []
  for (const i of capped) {
    const cap = i.cap as MemoryCap
    if (!i.stats) {
      out.push({ name, level: 'warn', message: `${i.kind}.${i.n}: its memory cgroup is missing, so its ${formatSize(cap.bytes)} cap is NOT enforced: restart ${app}` })
      continue
    }
    if (i.stats.oomKills > 0) {
      out.push({
        name,
        level: 'warn',
        message: `${i.kind}.${i.n} hit its ${formatSize(cap.bytes)} cap (${cap.key}): killed ${i.stats.oomKills} time${i.stats.oomKills === 1 ? '' : 's'} and restarted inside it (at the cap ${i.stats.hits} times); see logs ${app}, or raise ${cap.key}`,
      })
    }
  }
  if (!out.length) {
    const at = capped.map((i) => `${i.kind}.${i.n} ${formatSize((i.cap as MemoryCap).bytes)}`).join(', ')
    out.push({ name, level: 'ok', message: `capped (${at}); no worker killed at its cap` })
  }
  return out
}

/** doctor's host line: where caps are enforced, or why they cannot be (a warn when some app asks for one). */
export function planCapHostCheck(probe: { ok: true; version: number } | { ok: false; reason: string }, subtree: string | undefined, appsWithCaps: string[]): MemoryCheck {
  const name = 'memory caps'
  if (probe.ok) return { name, level: 'ok', message: `enforced by the kernel in ${subtree} (cgroup v${probe.version})${appsWithCaps.length ? `; capped: ${appsWithCaps.join(', ')}` : ''}` }
  if (!appsWithCaps.length) return { name, level: 'ok', message: `not available on this host (PIKU_MEMORY_MAX would not be enforced): ${probe.reason}` }
  return { name, level: 'warn', message: `NOT enforced on this host, though ${appsWithCaps.join(', ')} set(s) PIKU_MEMORY_MAX: ${probe.reason}` }
}
