// host-health: doctor's facts, read from the host: nginx (running, its config valid), the uwsgi emperor, disk
// and memory; then every app, first cleaned of what interrupted deploys left (under its lock, as recover does),
// then checked: deployed, running, answering, crash-looping, stopped, edited copies behind the stock ones,
// memory caps and certificate; PostgreSQL and each app's database and Redis. The lines themselves are planned in render/doctor-report.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { activationsRunRoot, appPaths, hostPaths, toolkitRoot, vassalPrefix } from '../state/paths.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import { readSandboxState } from './sandbox.js'
import { readActive, readPlan, readHistory, currentRelease, type Activation, type ReleasePlan } from '../state/release.js'
import { readAppState } from '../state/app-state.js'
import { readDiskSpace, diskWarning, formatBytes } from '../state/upkeep.js'
import { listApps } from '../state/apps.js'
import { readCertReport } from '../state/certs.js'
import { readCopies } from '../state/stock.js'
import { readAppMemory } from '../state/instance-memory.js'
import { tryLock, releaseLock } from '../state/lock.js'
import { recoverApp } from './recover.js'
import { validateNginx, httpAnswer } from '../host/system.js'
import { judgeHealth } from '../parse/health.js'
import { probeSubtree } from '../host/cgroups.js'
import { readLivePid, readProcesses } from '../host/proc.js'
import { findOrphanWorkers } from '../parse/worker-processes.js'
import { planMemoryChecks, planCapHostCheck } from '../render/memory-report.js'
import { planAppCheck, planCertCheck, planCopiesCheck, planDiskCheck, planMemoryCheck, type Check } from '../render/doctor-report.js'

/** The host's own lines: nginx, its config, the uwsgi emperor, disk and memory. */
async function hostChecks(settings: HostSettings): Promise<Check[]> {
  const h = hostPaths()
  const boot = `as root: ${join(toolkitRoot(), 'bin', 'piku-boot')} ${settings.user}`
  const checks: Check[] = []
  const nginxPidFile = process.env.PIKU_NGINX_PIDFILE || '/run/nginx.pid'
  const nginxPid = readLivePid(nginxPidFile, 'nginx')
  checks.push(nginxPid ? { name: 'nginx', level: 'ok', message: `running (pid ${nginxPid})` } : { name: 'nginx', level: 'FAIL', message: `not running (no live pid in ${nginxPidFile}): ${boot}, or systemctl start nginx` })
  try {
    await validateNginx(h.nginx, h.run, new Map())
    checks.push({ name: 'nginx config', level: 'ok', message: `the apps' server blocks in ${h.nginx} pass nginx -t` })
  } catch (e) {
    checks.push({ name: 'nginx config', level: 'FAIL', message: `${(e as Error).message}: fix or remove that app's file, then deploy it again` })
  }

  const emperorPid = readLivePid(h.emperorPid, 'uwsgi')
  checks.push(emperorPid ? { name: 'uwsgi emperor', level: 'ok', message: `running (pid ${emperorPid}), vassals in ${h.vassals}` } : { name: 'uwsgi emperor', level: 'FAIL', message: `not running (no live pid in ${h.emperorPid}): no app can run; ${boot}` })

  const space = readDiskSpace(h.root)
  if (space) checks.push(planDiskCheck(h.root, space.free, space.total, diskWarning(h.root, space.free, space.total), formatBytes(space.free)))
  else checks.push({ name: 'disk', level: 'warn', message: `could not read the free space of ${h.root}` })
  try {
    checks.push(planMemoryCheck(readFileSync('/proc/meminfo', 'utf8')))
  } catch {
    // broad on purpose: a health report turns any failure to read into a warning, never a crash of the whole report
    checks.push({ name: 'memory', level: 'warn', message: 'could not read /proc/meminfo' })
  }
  return checks
}

/** Clean what interrupted deploys left (each app under its lock, skipped while a deploy holds it); one
 *  `cleaned` line per repair, and a line for every worker that still belongs to no live activation. */
export async function cleanApps(apps: string[]): Promise<Check[]> {
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
    for (const o of findOrphanWorkers(procs, activationsRunRoot(app), tokens)) {
      checks.push({ name: `app ${app}`, level: 'warn', message: `worker pid ${o.pid} runs a launcher of activation ${o.token}, which is not live and has no vassal file: kill ${o.pid}` })
    }
  }
  return checks
}

/** The app's line: deployed, running (its vassal files, its web ports meeting the app's health rule, as the
 *  push and the crash watch judge them), rolled back, stopped. */
async function appRunCheck(app: string, release: string | undefined, active: Activation | undefined, plan: ReleasePlan | undefined, now: number): Promise<Check> {
  const dir = hostPaths().vassals
  const vassals = active && existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(vassalPrefix(app, active.token)) && f.endsWith('.ini')).length : 0
  const ports = active ? Object.values(active.ports).flat() : []
  const failing: { port: number; reason: string }[] = []
  for (const port of ports) {
    const answer = await httpAnswer(port, plan?.health.path ?? '/', plan?.serverNames[0] ?? 'localhost')
    const reason = judgeHealth(answer, plan?.health ?? {})
    if (reason !== undefined) failing.push({ port, reason })
  }
  const rollback = readHistory(app)
    .filter((e) => e.outcome === 'rolled-back')
    .pop()
  const state = readAppState(app)
  return planAppCheck({
    app,
    release,
    stopped: state.stopped === true,
    maintenance: state.maintenance,
    active: active !== undefined,
    workers: plan ? plan.processes.reduce((n, p) => n + p.count, 0) : 0,
    vassals,
    webPorts: ports.length,
    failingPorts: failing,
    lastRollback: rollback ? { time: rollback.time, id: rollback.id, message: rollback.message } : undefined,
    now,
  })
}

/** The app's edited hooks and templates whose stock original changed since. */
function copiesCheck(app: string): Check | undefined {
  try {
    return planCopiesCheck(app, readCopies(app).filter((x) => x.behind).map((x) => x.path))
  } catch (e) {
    return { name: `edits ${app}`, level: 'warn', message: `could not compare its hooks and templates with the stock ones: ${(e as Error).message}` }
  }
}

/** The memory lines of an app whose live release sets a cap (the kernel held an instance to it, or it is not enforced). */
function appMemoryChecks(app: string, active: Activation, plan: ReleasePlan, subtree: string | undefined): Check[] {
  const instances = plan.processes.flatMap((p) => Array.from({ length: p.count }, (_, k) => ({ kind: p.kind, n: k + 1 })))
  const m = readAppMemory(app, active.token, plan.memory, instances, subtree)
  return planMemoryChecks(app, m.instances, m.unenforced)
}

/** One app's lines (running, edits, memory, certificate), and whether its live release sets a memory cap. */
async function appChecks(app: string, settings: HostSettings, now: number): Promise<{ checks: Check[]; capped: boolean }> {
  const release = currentRelease(app)
  const active = readActive(app)
  const plan = active ? readPlan(app, active.release) : undefined
  const checks = [await appRunCheck(app, release, active, plan, now)]
  const copies = copiesCheck(app)
  if (copies) checks.push(copies)
  const capped = Boolean(active && plan?.memory)
  if (active && plan?.memory) checks.push(...appMemoryChecks(app, active, plan, settings.memoryCgroup))
  if (release) {
    const r = readCertReport(app)
    const c = planCertCheck(app, r.kind, r.notAfter, r.lastError, now)
    if (c) checks.push(c)
  }
  return { checks, capped }
}

/** Every line doctor prints: the host, leftovers cleaned, each app, then whether the host enforces memory caps. */
/** Whether each app runs in its own sandbox here: a warning (never silence) when not, and why. */
function sandboxCheck(settings: HostSettings): Check {
  const s = readSandboxState(settings)
  if (s.on) return { name: 'sandbox', level: 'ok', message: 'each app runs in its own bubblewrap sandbox' }
  return { name: 'sandbox', level: settings.sandbox === 'require' ? 'FAIL' : 'warn', message: `apps are NOT sandboxed on this host (${s.reason})` }
}

export async function gatherChecks(now = Date.now()): Promise<Check[]> {
  const settings = readHostSettings()
  const checks = await hostChecks(settings)
  const apps = listApps()
  checks.push(...(await cleanApps(apps)))
  const capped: string[] = [] // apps whose live release sets a memory cap
  for (const app of apps) {
    const a = await appChecks(app, settings, now)
    checks.push(...a.checks)
    if (a.capped) capped.push(app)
  }
  if (!apps.length) checks.push({ name: 'apps', level: 'ok', message: 'none yet: git push to create one' })
  const { databaseChecks } = await import('./databases.js') // PostgreSQL and each app's database and Redis
  checks.push(...(await databaseChecks(apps)))
  checks.push(planCapHostCheck(probeSubtree(settings.memoryCgroup), settings.memoryCgroup, capped))
  checks.push(sandboxCheck(settings))
  return checks
}
