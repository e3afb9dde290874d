// ps: the `ps` report: kinds and counts, then each instance's master pid, memory and process count.

export interface Instance {
  kind: string
  n: number
}

export interface InstanceStatus extends Instance {
  pid?: number // the uwsgi master
  pids: number[] // the master and everything under it
  rssKb: number
}

export interface PsReport {
  app: string
  release?: string
  running: boolean
  stopped: boolean
  scaling: Record<string, number>
  instances: InstanceStatus[]
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
      lines.push(i.pid === undefined ? `${name}  not running` : `${name}  pid ${String(i.pid).padEnd(7)} ${(i.rssKb / 1024).toFixed(1).padStart(7)} MB  ${i.pids.length} process${i.pids.length === 1 ? '' : 'es'}`)
    }
  }
  return lines.join('\n') + '\n'
}
