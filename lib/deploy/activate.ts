// activate: bring a planned release up beside the running one, check it answers, switch nginx and the
// `current` link to it, then stop the old workers. Any failure before the switch leaves the old release
// serving and removes what was started.
import { existsSync, readdirSync, readFileSync, unlinkSync, mkdirSync, rmSync, chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { activationDir, appPaths, appTemplatePath, displayPath, hostPaths, jwsgiEnvDirName, launcherName, templatePath, vassalName, vassalPrefix, workerLogName, wsgiEnvName } from '../state/paths.js'
import { renderVassal, wsgiPlugins, PLUGIN_PACKAGES, type VassalSpec } from '../render/uwsgi.js'
import { renderLauncher } from '../render/launcher.js'
import { JWSGI_TEMPLATE, planEnvDir, renderJwsgiOptions } from '../render/jwsgi.js'
import { checkTemplateCopy } from '../render/template.js'
import { parseJwsgiEntry } from '../parse/jvm.js'
import { renderNginxFor, prepareNginxFiles, requestCertificateIfDue, validateNginxFile, nginxServes } from './nginx-app.js'
import { processEnv } from '../parse/app-env.js'
import { judgeHealth, describeAnswer } from '../parse/health.js'
import { type ReleasePlan, type Activation, readActive, writeActive, switchCurrent, readPlan, writeStaged } from '../state/release.js'
import { renderLiveEnv } from '../parse/live-env.js'
import { parseAcmeSettings, type AcmeSettings } from '../parse/acme-settings.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import { writeFileAtomic, pickFreePort, waitHealthy, reloadNginx, sleep } from '../host/system.js'
import { writeStopped } from '../state/app-state.js'
import { UserError, ok } from '../errors.js'
import { vassalFiles } from '../state/vassals.js'
import { redisPorts } from '../state/databases.js'
import { writeRecord, markRecord, removeRecord, readJournal, journalPorts } from '../state/activations.js'
import { ownerOf } from '../state/lock.js'
import { renameDurable } from '../host/atomic-file.js'
import { DRAIN_MS, REAP_STOPPED_MS, spawnAfterSwitch } from './after-switch.js'
import { planMemorySetup, prepareInstanceMemory, reportMemorySetup, removeAppGroups, reapGroups } from './memory.js'
import * as log from '../log.js'

/** The roles that answer HTTP on a loopback port behind nginx. */
const HTTP_ROLES: readonly string[] = ['web', 'wsgi', 'jwsgi', 'php', 'rwsgi']

export function webRoles(plan: ReleasePlan): { kind: string; count: number }[] {
  return plan.processes.filter((p) => HTTP_ROLES.includes(p.role)).map((p) => ({ kind: p.kind, count: p.count }))
}

/** Ports in use by every app's active release and every app's Redis (so two never get the same one). */
export function usedPorts(): Set<number> {
  const taken = new Set<number>()
  const apps = hostPaths().apps
  if (!existsSync(apps)) return taken
  for (const app of readdirSync(apps)) {
    try {
      const a = JSON.parse(readFileSync(join(apps, app, 'active.json'), 'utf8')) as Activation
      for (const ports of Object.values(a.ports)) for (const p of ports) taken.add(p)
    } catch {}
  }
  for (const p of journalPorts()) taken.add(p) // activations starting or draining too
  for (const p of redisPorts().values()) taken.add(p) // a stopped app's Redis port stays its own
  return taken
}

export { renderNginxFor } from './nginx-app.js'

/** Remove vassal files of `app`, all or all but those of `keepToken`, with their journal records. */
export function removeVassals(app: string, keepToken?: string): number {
  const dir = hostPaths().vassals
  let n = 0
  for (const f of vassalFiles(app)) {
    if (keepToken && f.startsWith(vassalPrefix(app, keepToken))) continue
    try {
      unlinkSync(join(dir, f))
      n++
    } catch {}
  }
  for (const r of readJournal(app).records) if (r.token !== keepToken) removeRecord(app, r.token)
  return n
}

/** Stop one activation's workers and remove its launchers (the other activations are left alone). */
export function removeActivation(app: string, token: string): number {
  const dir = hostPaths().vassals
  let n = 0
  for (const f of vassalFiles(app)) {
    if (!f.startsWith(vassalPrefix(app, token))) continue
    try {
      unlinkSync(join(dir, f))
      n++
    } catch {}
  }
  rmSync(activationDir(app, token), { recursive: true, force: true })
  removeRecord(app, token)
  return n
}

function tailLog(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}


/** Clean what an interrupted deploy left behind before a new activation; says what it did. */
async function recoverBefore(plan: ReleasePlan, quiet: boolean): Promise<void> {
  const { recoverApp } = await import('./recover.js')
  const report = await recoverApp(plan.app, { inProgress: plan.id })
  for (const n of report.notes) if (!quiet) log.warn(n)
  if (quiet && report.notes.length) log.outLine(report.notes.join('\n'))
}

export interface ActivateOptions {
  host: HostSettings // host.env, read once by the caller (the deploy, the verb, the watcher)
  acme?: AcmeSettings // the release's ACME settings when the caller parsed them (a deploy, at build time)
  quiet?: boolean
  watchPrevious?: string
  stage?: boolean
}

/** Bring `plan` up beside the running release and switch to it. With `stage`, only its web workers start,
 *  are health-checked and stopped again: nothing live changes (PIKU_AUTO_RESTART=0). */
export async function activate(plan: ReleasePlan, opts: ActivateOptions): Promise<Activation> {
  const p = appPaths(plan.app)
  const subtree = opts.host.memoryCgroup
  const h = hostPaths()
  await recoverBefore(plan, opts.quiet === true)
  const token = `${plan.id}-${Date.now().toString(36)}`
  const runDir = activationDir(plan.app, token)
  mkdirSync(runDir, { recursive: true, mode: 0o700 })
  mkdirSync(p.logs, { recursive: true, mode: 0o700 })
  mkdirSync(h.vassals, { recursive: true, mode: 0o700 })

  // ports for every web and wsgi instance, beside the ones in use
  const taken = usedPorts()
  const ports: Record<string, number[]> = {}
  for (const w of webRoles(plan)) {
    ports[w.kind] = []
    for (let i = 0; i < w.count; i++) {
      const port = await pickFreePort(taken)
      taken.add(port)
      ports[w.kind].push(port)
    }
  }

  // memory caps: leftover empty groups of earlier activations go; each capped instance gets its own group
  removeAppGroups(plan.app, subtree, { keepToken: readActive(plan.app)?.token })
  const memory = planMemorySetup(plan.memory, subtree)

  // launchers, env files and vassal files, rendered first so nothing starts if one fails
  const vassals: { name: string; text: string }[] = []
  if (plan.processes.some((x) => x.role === 'wsgi')) checkUwsgiPlugins(plan.settings)
  // staging starts only what answers HTTP: a second copy of a worker or cron would do real work twice
  const jwsgiTemplate = plan.processes.some((x) => x.role === 'jwsgi') ? readJwsgiTemplate(plan.app) : undefined
  for (const proc of plan.processes.filter((x) => !opts.stage || HTTP_ROLES.includes(x.role))) {
    for (let n = 1; n <= proc.count; n++) {
      const port = ports[proc.kind]?.[n - 1]
      const jvms = proc.role === 'jwsgi' ? plan.settings.processes : 1
      const capped = prepareInstanceMemory(memory, { app: plan.app, token, kind: proc.kind, n, runDir, jvms }, processEnv(plan.env, proc.kind, port))
      const env = capped.env
      const logFile = join(p.logs, workerLogName(proc.kind, n))
      const spec: VassalSpec = { app: plan.app, release: plan.id, kind: proc.kind, n, role: proc.role, cwd: plan.dir, logFile, settings: plan.settings, port, memoryScript: capped.script }
      if (proc.role === 'wsgi') {
        const envFile = join(runDir, wsgiEnvName(proc.kind, n))
        writeFileAtomic(envFile, JSON.stringify({ env, cwd: plan.dir, module: proc.command, sitePackages: plan.sitePackages ?? null }), 0o600)
        spec.wsgi = { loader: appTemplatePath(plan.app, 'uwsgi', 'wsgi-loader.py'), envFile }
      } else if (proc.role === 'jwsgi') {
        spec.jwsgiOptions = prepareJwsgi(plan, jwsgiTemplate!, { envDir: join(runDir, jwsgiEnvDirName(proc.kind, n)), env, port: port!, command: proc.command })
      } else if (proc.role === 'php' || proc.role === 'rwsgi') {
        // php and rack read the environment from a file too (uwsgi's reader would expand values), through the
        // app's prepend script or loader, copied into the activation: what the workers read sits beside their
        // env files (an app sandbox binds the activation, not the repo), and an edit applies at the next activation
        const envFile = join(runDir, wsgiEnvName(proc.kind, n))
        writeFileAtomic(envFile, JSON.stringify({ env, cwd: plan.dir }), 0o600)
        const helper = activationCopy(plan.app, runDir, proc.role === 'php' ? 'php-prepend.php' : 'rack-loader.rb')
        if (proc.role === 'php') spec.php = { docroot: proc.command, prepend: helper, envFile, capBytes: plan.memory?.[proc.kind]?.bytes }
        else spec.rack = { rackup: proc.command, loader: helper, envFile }
      } else {
        const launcher = join(runDir, launcherName(proc.kind, n))
        writeFileAtomic(launcher, renderLauncher({ title: `${plan.app} ${proc.kind}.${n}`, cwd: plan.dir, env, command: proc.command, supervise: proc.role !== 'cron' }), 0o700)
        chmodSync(launcher, 0o700)
        spec.launcher = launcher
        spec.cronSchedules = proc.cron
      }
      vassals.push({ name: vassalName(plan.app, token, proc.kind, n), text: renderVassal(spec) })
    }
  }
  reportMemorySetup(memory, opts.quiet)
  const live = { ...plan.env, ...(Object.values(ports)[0]?.length ? { PORT: String(Object.values(ports)[0][0]) } : {}) }

  // nginx: render and validate beside every other app's live file before anything starts
  if (plan.serverNames.length && (Object.values(ports).flat().length || plan.statics.length)) await prepareNginxFiles(plan)
  const nginxText = renderNginxFor(plan, ports, token, opts.host)
  const candidate = join(runDir, 'nginx.conf')
  if (nginxText) {
    writeFileAtomic(candidate, nginxText, 0o600) // root's master reads it; it may hold values NGINX_INCLUDE_FILE expanded
    await validateNginxFile(plan.app, candidate, nginxText)
  }

  // the journal knows this activation before its first worker starts: an interrupted deploy is found later
  const started = new Date().toISOString()
  writeRecord({ app: plan.app, token, release: plan.id, ports, vassals: vassals.map((v) => v.name), state: 'starting', owner: ownerOf(process.pid), started, plan })
  const abandon = () => {
    markRecord(plan.app, token, 'abandoned')
    removeActivation(plan.app, token) // vassal files, launchers, then the record; the old ones still serve
  }

  // start the new workers beside the old ones
  try {
    for (const v of vassals) writeFileAtomic(join(h.vassals, v.name), v.text, 0o600)
  } catch (e) {
    abandon()
    throw e
  }
  const webPorts = Object.values(ports).flat()
  if (webPorts.length) {
    if (!opts.quiet) log.step(`waiting for ${webPorts.length} web worker(s) to answer on ${plan.health.path}`)
    const hostHeader = plan.serverNames[0] ?? 'localhost'
    const dead = await waitHealthy(webPorts, plan.health.path, hostHeader, plan.health.timeoutMs, (a) => judgeHealth(a, plan.health))
    if (dead.length) {
      abandon()
      const logs = webRoles(plan)
        .map((w) => tailLog(join(p.logs, workerLogName(w.kind, 1))))
        .filter(Boolean)
        .join('\n')
      removeAppGroups(plan.app, subtree, { onlyToken: token }) // those still emptying go at the next activation
      rmSync(runDir, { recursive: true, force: true })
      const answered = dead.find((d) => d.answer.status > 0)
      const what = answered
        ? `the new release answered GET ${plan.health.path} with ${describeAnswer(answered.answer)} (${answered.reason}) for ${plan.health.timeoutMs / 1000}s`
        : `the new release did not answer on ${plan.health.path} within ${plan.health.timeoutMs / 1000}s`
      throw new UserError(`${what}; the previous release keeps serving` + (logs ? `\n--- last lines of its log ---\n${logs}` : ''))
    }
  }
  if (opts.stage) {
    abandon() // checked: its workers stop again, the live release was never touched
    return { release: plan.id, token, ports, started }
  }

  // switch: nginx first (graceful reload), then the `current` link and the record. The previous activation
  // is marked retiring (by us) first, so nothing takes it for an orphan while it still serves.
  const previous = readActive(plan.app)
  if (previous && previous.token !== token) markRecord(plan.app, previous.token, 'retiring', { owner: ownerOf(process.pid) })
  try {
    if (nginxText) {
      renameDurable(candidate, p.nginxConf)
      await reloadNginx()
      if (!(await nginxServes(opts.host, plan.serverNames[0], token))) log.warn('nginx has not picked up the new configuration yet')
    } else if (existsSync(p.nginxConf)) {
      rmSync(p.nginxConf, { force: true })
      await reloadNginx()
    }
  } catch (e) {
    if (previous && previous.token !== token) markRecord(plan.app, previous.token, 'switched')
    if (!nginxText || !existsSync(p.nginxConf) || !readFileSync(p.nginxConf, 'utf8').includes(token)) abandon()
    throw e
  }
  switchCurrent(plan.app, plan.id)
  writeStaged(plan.app, undefined) // whatever was staged is replaced by what now serves
  const activation: Activation = { release: plan.id, token, ports, started }
  writeActive(plan.app, activation)
  markRecord(plan.app, token, 'switched', { switched: new Date().toISOString() })
  writeStopped(plan.app, false) // a `stop` lasts until the next activation (push, deploy, restart)
  writeFileAtomic(p.liveEnv, renderLiveEnv(live), 0o600)
  if (nginxText) requestCertificateIfDue(plan, opts.acme ? ok(opts.acme) : parseAcmeSettings(plan.env, opts.host.acme))

  // old workers stop once the new ones serve, after a short drain: a detached process does that (and watches
  // the new release for a minute when asked), so the push or verb returns as soon as the switch is made
  const retire = previous && previous.token !== token ? previous.token : undefined
  if (retire && !webPorts.length) removeActivation(plan.app, retire)
  if ((retire && webPorts.length) || (opts.watchPrevious && webPorts.length)) {
    const watcher = spawnAfterSwitch(plan.app, { token, retire: webPorts.length ? retire : undefined, drainMs: DRAIN_MS, watchPrevious: webPorts.length ? opts.watchPrevious : undefined })
    // the watcher stops the previous workers after the drain: it owns their record now
    if (retire && watcher) markRecord(plan.app, retire, 'retiring', { owner: ownerOf(watcher) })
  } else if (retire && removeAppGroups(plan.app, subtree, { onlyToken: retire }).length) {
    spawnAfterSwitch(plan.app, { token, reap: retire, drainMs: 0 }) // the retired workers' memory cgroups, once they empty
  }
  return activation
}

/** The app's copy of templates/uwsgi/NAME (else the toolkit's), copied once into the activation's folder. */
function activationCopy(app: string, runDir: string, name: string): string {
  const copy = join(runDir, name)
  if (!existsSync(copy)) writeFileAtomic(copy, readFileSync(appTemplatePath(app, 'uwsgi', name), 'utf8'), 0o600)
  return copy
}

/** Stop every worker of an app and take it out of nginx; the release and config stay. */
export async function stopApp(app: string): Promise<boolean> {
  const p = appPaths(app)
  const active = readActive(app)
  // nginx first: requests get the host's 404 rather than a 502 from workers that are going away
  if (existsSync(p.nginxConf)) {
    rmSync(p.nginxConf, { force: true })
    await reloadNginx()
    await sleep(DRAIN_MS)
  }
  const n = removeVassals(app)
  if (active) rmSync(activationDir(app, active.token), { recursive: true, force: true })
  for (const r of readJournal(app).records) removeActivation(app, r.token)
  writeActive(app, undefined)
  await reapGroups(app, readHostSettings().memoryCgroup, {}, REAP_STOPPED_MS) // memory cgroups, as the workers end (any left go at the next activation)
  return n > 0 || active !== undefined
}

/** Activate the release `current` points at again (new workers beside the old, then the switch). */
export async function restartCurrent(app: string, id: string): Promise<Activation> {
  const plan = readPlan(app, id)
  if (!plan) throw new UserError(`release ${id} of app "${app}" has no plan on disk; push again`)
  return activate(plan, { host: readHostSettings() })
}

/** The app's copy of templates/uwsgi/jwsgi.ini; an edit that breaks a placeholder fails the deploy naming it. */
function readJwsgiTemplate(app: string): { file: string; text: string } {
  const file = appTemplatePath(app, 'uwsgi', JWSGI_TEMPLATE)
  const text = readFileSync(file, 'utf8')
  const problem = file === templatePath('uwsgi', JWSGI_TEMPLATE) ? undefined : checkTemplateCopy(text, readFileSync(templatePath('uwsgi', JWSGI_TEMPLATE), 'utf8'), displayPath(file))
  if (problem) throw new UserError(`${problem}; the running release is unchanged`)
  return { file: displayPath(file), text }
}

/** A jwsgi instance: its envdir written (one file per variable, 0600), its vassal options from the template. */
function prepareJwsgi(plan: ReleasePlan, template: { file: string; text: string }, at: { envDir: string; env: Record<string, string>; port: number; command: string }) {
  const files = planEnvDir(at.env)
  if (!files.ok) throw new UserError(files.errors.join('\n'))
  // a new folder of a new activation, read only once its vassal starts: plain writes are enough
  mkdirSync(at.envDir, { recursive: true, mode: 0o700 })
  for (const [k, v] of Object.entries(files.value)) writeFileSync(join(at.envDir, k), v, { mode: 0o600, flag: 'wx' })
  const entry = parseJwsgiEntry(at.command)
  if (!entry.ok) throw new UserError(`Procfile: ${entry.errors[0]}`)
  const s = plan.settings
  const options = renderJwsgiOptions(
    template.text,
    { port: at.port, processes: s.processes, threads: s.threads, maxRequests: s.maxRequests, listen: s.listen, envDir: at.envDir, classpath: plan.jvmClasspath ?? [plan.dir], entry: entry.value.entry },
    template.file,
  )
  if (!options.ok) throw new UserError(`${options.errors.join('\n')}; the running release is unchanged`)
  return options.value
}

/** The uwsgi plugins UWSGI_GEVENT / UWSGI_ASYNCIO need, present on this host, or one line naming the package. */
function checkUwsgiPlugins(settings: ReleasePlan['settings']): void {
  const key = settings.gevent ? `UWSGI_GEVENT=${settings.gevent}` : `UWSGI_ASYNCIO=${settings.asyncio}`
  const dir = '/usr/lib/uwsgi/plugins' // Debian's uwsgi looks for plugins here
  for (const [k, name] of wsgiPlugins(settings)) {
    if (k !== 'plugin' || existsSync(join(dir, `${name}_plugin.so`))) continue
    throw new UserError(`${key}: this host has no uwsgi ${name} plugin (${dir}/${name}_plugin.so); install it as root: apt-get install ${PLUGIN_PACKAGES[name]}`)
  }
}
