// doctor: is this host well? nginx (running, config valid), the uwsgi emperor, disk, memory, certificates and
// every app (deployed, running, answering, crash-looping, stopped). One line per check, `ok`/`warn`/`FAIL`
// and what to do; exits 1 when a check FAILs. `--json` for one JSON document.
import { join } from 'node:path'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

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
  deadPorts: number[] // web ports that did not answer below 500
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
  if (f.deadPorts.length) {
    return { name, level: 'FAIL', message: `${f.deadPorts.length} of ${f.webPorts} web worker(s) do not answer (is the emperor up?): see logs ${f.app} -n 50, then restart ${f.app}` }
  }
  if (f.lastRollback && f.now - Date.parse(f.lastRollback.time) < DAY) {
    return { name, level: 'warn', message: `${f.release} runs, but ${f.lastRollback.id} crash-looped and was rolled back at ${f.lastRollback.time}: see logs ${f.app} and logs/${f.app}/watch.log before pushing again` }
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

// --- the edges

function pidFromFile(file: string, comm: string, read: (f: string) => string): number | undefined {
  try {
    const pid = Number(read(file).trim())
    if (!Number.isInteger(pid) || pid <= 0) return undefined
    if (read(`/proc/${pid}/comm`).trim() !== comm) return undefined
    // an exited process nobody reaped yet (state Z) is not running
    return /\) Z /.test(read(`/proc/${pid}/stat`)) ? undefined : pid
  } catch {
    return undefined
  }
}

/** Clean what interrupted deploys left (each app under its lock, skipped while a deploy holds it); one
 *  `cleaned` line per repair, and a line for every worker that still belongs to no live activation. */
export async function cleanApps(apps: string[]): Promise<Check[]> {
  const { appPaths } = await import('../state/paths.js')
  const { tryLock, releaseLock } = await import('../state/lock.js')
  const { recoverApp } = await import('../deploy/recover.js')
  const { readProcesses, findOrphanWorkers } = await import('./ps.js')
  const checks: Check[] = []
  const known = new Map<string, Set<string>>()
  for (const app of apps) {
    const lock = appPaths(app).lock
    if (!tryLock(lock, process.pid, 'doctor')) {
      checks.push({ name: `app ${app}`, level: 'ok', message: 'a deploy or verb holds its lock: not checked for leftovers this time' })
      continue
    }
    try {
      const r = await recoverApp(app)
      for (const n of r.notes) checks.push({ name: `cleaned ${app}`, level: 'warn', message: n })
      known.set(app, new Set([...(r.plan.live ? [r.plan.live.token] : []), ...r.plan.keep.map((k) => k.token), ...r.plan.remove.map((x) => x.token)]))
    } catch (e) {
      checks.push({ name: `app ${app}`, level: 'FAIL', message: `could not check for leftovers: ${(e as Error).message}` })
    } finally {
      releaseLock(lock, process.pid)
    }
  }
  const procs = readProcesses()
  for (const [app, tokens] of known) {
    for (const o of findOrphanWorkers(procs, join(appPaths(app).home, 'run'), tokens)) {
      checks.push({ name: `app ${app}`, level: 'warn', message: `worker pid ${o.pid} runs a launcher of activation ${o.token}, which is not live and has no vassal file: kill ${o.pid}` })
    }
  }
  return checks
}

export async function gatherChecks(now = Date.now()): Promise<Check[]> {
  const { existsSync, readFileSync, readdirSync } = await import('node:fs')
  const { hostPaths, toolkitRoot } = await import('../state/paths.js')
  const { readHostSettings } = await import('../state/host-settings.js')
  const { validateNginx, httpStatus } = await import('../host/system.js')
  const { readActive, readPlan, readHistory, currentRelease } = await import('../state/release.js')
  const { readAppState } = await import('../state/app-state.js')
  const { readDiskSpace, diskWarning, formatBytes } = await import('../state/upkeep.js')
  const { listApps } = await import('../state/apps.js')
  const { readCertReport } = await import('../state/certs.js')
  const h = hostPaths()
  const user = readHostSettings().user
  const boot = `as root: ${join(toolkitRoot(), 'bin', 'piku-boot')} ${user}`
  const read = (f: string) => readFileSync(f, 'utf8')
  const checks: Check[] = []
  const capped: string[] = [] // apps whose live release sets a memory cap

  const nginxPidFile = process.env.PIKU_NGINX_PIDFILE || '/run/nginx.pid'
  const nginxPid = pidFromFile(nginxPidFile, 'nginx', read)
  checks.push(nginxPid ? { name: 'nginx', level: 'ok', message: `running (pid ${nginxPid})` } : { name: 'nginx', level: 'FAIL', message: `not running (no live pid in ${nginxPidFile}): ${boot}, or systemctl start nginx` })
  try {
    await validateNginx(h.nginx, h.run, new Map())
    checks.push({ name: 'nginx config', level: 'ok', message: `the apps' server blocks in ${h.nginx} pass nginx -t` })
  } catch (e) {
    checks.push({ name: 'nginx config', level: 'FAIL', message: `${(e as Error).message}: fix or remove that app's file, then deploy it again` })
  }

  const emperorPid = pidFromFile(h.emperorPid, 'uwsgi', read)
  checks.push(emperorPid ? { name: 'uwsgi emperor', level: 'ok', message: `running (pid ${emperorPid}), vassals in ${h.vassals}` } : { name: 'uwsgi emperor', level: 'FAIL', message: `not running (no live pid in ${h.emperorPid}): no app can run; ${boot}` })

  const space = readDiskSpace(h.root)
  if (space) checks.push(planDiskCheck(h.root, space.free, space.total, diskWarning(h.root, space.free, space.total), formatBytes(space.free)))
  else checks.push({ name: 'disk', level: 'warn', message: `could not read the free space of ${h.root}` })
  try {
    checks.push(planMemoryCheck(read('/proc/meminfo')))
  } catch {
    checks.push({ name: 'memory', level: 'warn', message: 'could not read /proc/meminfo' })
  }

  const apps = listApps()
  checks.push(...(await cleanApps(apps)))
  for (const app of apps) {
    const release = currentRelease(app)
    const active = readActive(app)
    const plan = active ? readPlan(app, active.release) : undefined
    const vassals = active && existsSync(h.vassals) ? readdirSync(h.vassals).filter((f) => f.startsWith(`${app}@${active.token}@`) && f.endsWith('.ini')).length : 0
    const ports = active ? Object.values(active.ports).flat() : []
    const dead: number[] = []
    for (const port of ports) {
      const s = await httpStatus(port, plan?.health.path ?? '/', plan?.serverNames[0] ?? 'localhost')
      if (s === 0 || s >= 500) dead.push(port)
    }
    const rollback = readHistory(app)
      .filter((e) => e.outcome === 'rolled-back')
      .pop()
    checks.push(
      planAppCheck({
        app,
        release,
        stopped: readAppState(app).stopped === true,
        maintenance: readAppState(app).maintenance,
        active: active !== undefined,
        workers: plan ? plan.processes.reduce((n, p) => n + p.count, 0) : 0,
        vassals,
        webPorts: ports.length,
        deadPorts: dead,
        lastRollback: rollback ? { time: rollback.time, id: rollback.id, message: rollback.message } : undefined,
        now,
      }),
    )
    try {
      const { readCopies } = await import('../state/stock.js')
      const c = planCopiesCheck(app, readCopies(app).filter((x) => x.behind).map((x) => x.path))
      if (c) checks.push(c)
    } catch (e) {
      checks.push({ name: `edits ${app}`, level: 'warn', message: `could not compare its hooks and templates with the stock ones: ${(e as Error).message}` })
    }
    if (active && plan?.memory) {
      capped.push(app)
      const { readAppMemory } = await import('../state/instance-memory.js')
      const { planMemoryChecks } = await import('../render/memory-report.js')
      const instances = plan.processes.flatMap((p) => Array.from({ length: p.count }, (_, k) => ({ kind: p.kind, n: k + 1 })))
      const m = readAppMemory(app, active.token, plan.memory, instances)
      checks.push(...planMemoryChecks(app, m.instances, m.unenforced))
    }
    if (release) {
      const r = readCertReport(app)
      const c = planCertCheck(app, r.kind, r.notAfter, r.lastError, now)
      if (c) checks.push(c)
    }
  }
  if (!apps.length) checks.push({ name: 'apps', level: 'ok', message: 'none yet: git push to create one' })
  const { probeSubtree } = await import('../host/cgroups.js')
  const { planCapHostCheck } = await import('../render/memory-report.js')
  const subtree = readHostSettings().memoryCgroup
  checks.push(planCapHostCheck(probeSubtree(subtree), subtree, capped))
  return checks
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const extra = args.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`doctor: unexpected argument ${JSON.stringify(extra[0].slice(0, 40))}; usage: doctor [--json]`)
  const checks = await gatherChecks()
  const code = doctorExitCode(checks)
  if (json) log.json({ ok: code === 0, checks })
  else log.out(renderChecks(checks))
  return code
}
