// render/doctor-report: doctor's checks (pure): one `ok`/`warn`/`FAIL` line per check with what to do, from the
// facts read about the host and each app (nginx and the emperor, disk, memory, certificates, edited copies),
// and the exit code (1 when a check FAILs).
export type Level = 'ok' | 'warn' | 'FAIL'

export interface Check {
  name: string
  level: Level
  message: string
}

const DAY = 24 * 3600 * 1000

export function renderChecks(checks: Check[]): string {
  return checks.map((c) => `${c.level.padEnd(4)}  ${c.name}: ${c.message}`).join('\n') + '\n'
}

export function doctorExitCode(checks: Check[]): number {
  return checks.some((c) => c.level === 'FAIL') ? 1 : 0
}

export interface AppFacts {
  app: string
  release?: string // the `current` release
  stopped: boolean // by `stop`
  maintenance?: string // since when maintenance:on holds
  active: boolean // has an activation record
  workers: number // processes its plan asks for
  vassals: number // vassal files of the active token
  webPorts: number
  failingPorts: { port: number; reason: string }[] // web ports whose answer fails the app's health rule, and why
  lastRollback?: { time: string; id: string; message?: string } // the newest automatic rollback
  now: number
}

/** The one line for an app, from what was read about it. */
export function planAppCheck(f: AppFacts): Check {
  const name = `app ${f.app}`
  if (!f.release) return { name, level: 'warn', message: `never deployed: push its main branch, or destroy ${f.app}` }
  if (f.stopped) return { name, level: 'ok', message: `stopped (by stop); deploy ${f.app} or restart ${f.app} starts it` }
  if (!f.active) return { name, level: 'FAIL', message: `${f.release} is not running and was not stopped: deploy ${f.app} starts it (logs ${f.app} shows why it ended)` }
  if (f.vassals < f.workers) return { name, level: 'FAIL', message: `${f.vassals} of ${f.workers} worker(s) have a vassal file: restart ${f.app}` }
  const failing = f.failingPorts
  if (failing.length && failing.every((p) => p.reason === 'no answer')) {
    return { name, level: 'FAIL', message: `${failing.length} of ${f.webPorts} web worker(s) do not answer (is the emperor up?): see logs ${f.app} -n 50, then restart ${f.app}` }
  }
  if (failing.length) {
    const why = failing.map((p) => `port ${p.port}: ${p.reason}`).join('; ')
    return { name, level: 'FAIL', message: `${failing.length} of ${f.webPorts} web worker(s) fail the health check (${why}): see logs ${f.app} -n 50, fix the app or its PIKU_HEALTH_* settings, then deploy ${f.app}` }
  }
  if (f.lastRollback && f.now - Date.parse(f.lastRollback.time) < DAY) {
    return { name, level: 'warn', message: `${f.release} runs, but ${f.lastRollback.id} failed its health check after the switch (a crash loop or a wrong answer) and was rolled back at ${f.lastRollback.time}: see logs ${f.app} and logs/${f.app}/watch.log before pushing again` }
  }
  if (f.maintenance) return { name, level: 'warn', message: `${f.release} running, but in maintenance mode since ${f.maintenance}: every request gets 503 until maintenance:off ${f.app}` }
  return { name, level: 'ok', message: `${f.release} running${f.webPorts ? `, ${f.webPorts} web worker(s) answering` : ''}` }
}

/** Disk: FAIL under 100 MiB or 1% free, warn under 1 GiB or 5%. */
export function planDiskCheck(path: string, free: number, total: number, warning: string | undefined, formatted: string): Check {
  if (free < 100 * 1024 ** 2 || free / total < 0.01) return { name: 'disk', level: 'FAIL', message: `only ${formatted} free on ${path}: deploys and logs will fail; remove apps or old data, or grow the disk` }
  if (warning) return { name: 'disk', level: 'warn', message: warning }
  return { name: 'disk', level: 'ok', message: `${formatted} free on ${path}` }
}

/** Memory from /proc/meminfo: warn when under 5% (or 64 MiB) is available. */
export function planMemoryCheck(meminfo: string): Check {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? NaN)
  const total = kb('MemTotal')
  const avail = kb('MemAvailable')
  if (!Number.isFinite(total) || !Number.isFinite(avail)) return { name: 'memory', level: 'warn', message: 'could not read /proc/meminfo' }
  const mib = Math.round(avail / 1024)
  if (avail < 64 * 1024 || avail / total < 0.05) return { name: 'memory', level: 'warn', message: `only ${mib} MiB of ${Math.round(total / 1024)} MiB available: scale workers down (ps:scale) or add swap` }
  return { name: 'memory', level: 'ok', message: `${mib} MiB of ${Math.round(total / 1024)} MiB available` }
}

/** A certificate in use: FAIL when expired, warn within 14 days of expiry or after a failed renewal. */
export function planCertCheck(app: string, kind: string, notAfter: string | undefined, lastError: string | undefined, now: number): Check | undefined {
  if (kind === 'none') return undefined
  const name = `certificate ${app}`
  const left = notAfter ? Date.parse(notAfter) - now : NaN
  if (Number.isFinite(left) && left <= 0) return { name, level: 'FAIL', message: `expired ${notAfter}: see certs ${app} for the last error; fix DNS or port 80, then restart ${app}` }
  if (kind === 'acme' && Number.isFinite(left) && left < 14 * DAY) return { name, level: 'warn', message: `expires ${notAfter} and has not been renewed${lastError ? `: ${lastError}` : ''}` }
  if (lastError) return { name, level: 'warn', message: `${kind}, last ACME attempt failed: ${lastError}` }
  return { name, level: 'ok', message: `${kind}${notAfter ? `, valid until ${notAfter}` : ''}` }
}

/** An app's edited hooks and templates whose stock original changed since the edit (FILE.stock beside it). */
export function planCopiesCheck(app: string, behind: string[]): Check | undefined {
  if (!behind.length) return undefined
  const list = behind.map((p) => `repos/${app}/${p}`).join(', ')
  return { name: `edits ${app}`, level: 'warn', message: `the stock version of your edited ${list} changed since: compare each with FILE.stock, merge what you want, then remove FILE.stock (or hooks:reset ${app} FILE)` }
}
