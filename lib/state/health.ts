// health: what doctor reads about this host and its apps (nginx, the emperor, disk, memory, every app's
// release, workers, answers, rollbacks and certificate), turned into checks by parse/health.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { hostPaths, toolkitRoot, vassalPrefix } from './paths.js'
import { readHostSettings } from './host-settings.js'
import { validateNginx, httpStatus } from '../host/system.js'
import { readLivePid } from '../host/proc.js'
import { readActive, readPlan, readHistory, currentRelease } from './release.js'
import { readAppState } from './app-state.js'
import { readDiskSpace, diskWarning, formatBytes } from './upkeep.js'
import { listApps } from './apps.js'
import { readCertReport } from './certs.js'
import { planAppCheck, planCertCheck, planDiskCheck, planMemoryCheck, type Check } from '../parse/health.js'

/** Every check, in the order doctor prints them. */
export async function gatherChecks(now = Date.now()): Promise<Check[]> {
  const h = hostPaths()
  const user = readHostSettings().user
  const boot = `as root: ${join(toolkitRoot(), 'bin', 'piku-boot')} ${user}`
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
    checks.push({ name: 'memory', level: 'warn', message: 'could not read /proc/meminfo' })
  }

  const apps = listApps()
  for (const app of apps) {
    const release = currentRelease(app)
    const active = readActive(app)
    const plan = active ? readPlan(app, active.release) : undefined
    const vassals = active && existsSync(h.vassals) ? readdirSync(h.vassals).filter((f) => f.startsWith(vassalPrefix(app, active.token)) && f.endsWith('.ini')).length : 0
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
        active: active !== undefined,
        workers: plan ? plan.processes.reduce((n, p) => n + p.count, 0) : 0,
        vassals,
        webPorts: ports.length,
        deadPorts: dead,
        lastRollback: rollback ? { time: rollback.time, id: rollback.id, message: rollback.message } : undefined,
        now,
      }),
    )
    if (release) {
      const r = readCertReport(app)
      const c = planCertCheck(app, r.kind, r.notAfter, r.lastError, now)
      if (c) checks.push(c)
    }
  }
  if (!apps.length) checks.push({ name: 'apps', level: 'ok', message: 'none yet: git push to create one' })
  return checks
}
