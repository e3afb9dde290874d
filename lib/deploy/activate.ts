// activate: bring a planned release up beside the running one, check it answers, switch nginx and the
// `current` link to it, then stop the old workers. Any failure before the switch leaves the old release
// serving and removes what was started.
import { existsSync, lstatSync, readFileSync, mkdirSync, rmSync, chmodSync, writeFileSync, openSync, closeSync, constants as fsConstants } from 'node:fs'
import { join } from 'node:path'
import { activationDir, activationFile, activationNginx, appPaths, appTemplatePath, displayPath, hostPaths, jwsgiEnvDirName, launcherName, templatePath, vassalFile, vassalName, vassalToken, workerLogPath, wsgiEnvName } from '../state/paths.js'
import { renderVassal, wsgiPlugins, PLUGIN_PACKAGES, type VassalSpec } from '../render/uwsgi.js'
import { renderLauncher } from '../render/launcher.js'
import { JWSGI_TEMPLATE, planEnvDir, renderJwsgiOptions } from '../render/jwsgi.js'
import { checkTemplateCopy } from '../render/template.js'
import { parseJwsgiEntry } from '../parse/jvm.js'
import { renderNginxFor, prepareNginxFiles, requestCertificateIfDue, validateNginxFile, nginxServes } from './nginx-app.js'
import { processEnv } from '../parse/app-env.js'
import { judgeHealth, describeAnswer } from '../parse/health.js'
import { type ReleasePlan, type Activation, readActive, readActiveRecord, writeActive, switchCurrent, readPlan, writeStaged } from '../state/release.js'
import { recordValue } from '../state/record-file.js'
import { planToFile } from '../state/plan-file.js'
import { appsOnDisk } from '../state/apps.js'
import { renderLiveEnv } from '../parse/live-env.js'
import { parseAcmeSettings, type AcmeSettings } from '../parse/acme-settings.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import { writeFileAtomic, pickFreePort, waitHealthy, reloadNginx, sleep } from '../host/system.js'
import { writeStopped } from '../state/app-state.js'
import { UserError, ok, isErrno } from '../errors.js'
import { vassalFiles } from '../state/vassals.js'
import { redisPorts } from '../state/databases.js'
import { writeRecord, markRecord, readJournal, journalPorts, removeActivation } from '../state/activations.js'
import { ownerOf } from '../state/lock.js'
import { renameDurable } from '../host/atomic-file.js'
import { DRAIN_MS, REAP_STOPPED_MS, spawnAfterSwitch } from './after-switch.js'
import { planMemorySetup, prepareInstanceMemory, reportMemorySetup, removeAppGroups, reapGroups } from './memory.js'
import { checkSandbox, sandboxVassal, SANDBOX_BIND_KEY } from './sandbox.js'
import * as log from '../log.js'

/** Remove `path` when it is a symbolic link (a plain file or nothing stays as it is). */
function dropLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) rmSync(path)
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // nothing there: nothing to drop
  }
}

function writeExecutable(path: string, text: string, mode: number): void {
  writeFileAtomic(path, text, mode)
  chmodSync(path, mode)
}

/** The roles that answer HTTP on a loopback port behind nginx. */
const HTTP_ROLES: readonly string[] = ['web', 'wsgi', 'jwsgi', 'php', 'rwsgi']

export function webRoles(plan: ReleasePlan): { kind: string; count: number }[] {
  return plan.processes.filter((p) => HTTP_ROLES.includes(p.role)).map((p) => ({ kind: p.kind, count: p.count }))
}

/** Ports in use by every app's active release and every app's Redis (so two never get the same one). */
export function usedPorts(): Set<number> {
  const taken = new Set<number>()
  for (const app of appsOnDisk()) {
    const a = recordValue(readActiveRecord(app))
    for (const ports of Object.values(a?.ports ?? {})) for (const p of ports) taken.add(p)
  }
  for (const p of journalPorts()) taken.add(p) // activations starting or draining too
  for (const p of redisPorts().values()) taken.add(p) // a stopped app's Redis port stays its own
  return taken
}

export { renderNginxFor } from './nginx-app.js'

function tailLog(file: string, lines = 5): string {
  try {
    // the log folder is the app's to write in its sandbox: a link there is not followed
    const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW)
    try {
      return readFileSync(fd, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } finally {
      closeSync(fd)
    }
  } catch {
    // broad on purpose: this tail goes into the message of a failed start, and a second failure must not hide the first
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

/** An activation on its way up: what was planned and rendered for it before anything starts. */
interface Prepared {
  plan: ReleasePlan
  opts: ActivateOptions
  token: string
  runDir: string
  ports: Record<string, number[]>
  vassals: { name: string; text: string }[]
  nginxText?: string // the app's nginx file for this activation (none: the app serves nothing over HTTP)
  candidate: string // where nginxText waits, checked, for the switch
  live: Record<string, string> // LIVE_ENV
  started: string
}

/**
 * Bring `plan` up beside the running release and switch to it, in the order of the README's "What a push
 * does" (steps 5 to 7): put the app in order, plan and render everything, record the activation, start its
 * workers and wait for them to answer, switch nginx, switch `current` and the records, retire the previous
 * workers. With `stage`, only its web workers start, are health-checked and stopped again: nothing live
 * changes (PIKU_AUTO_RESTART=0).
 */
export async function activate(plan: ReleasePlan, opts: ActivateOptions): Promise<Activation> {
  await recoverBefore(plan, opts.quiet === true)
  const a = await prepareActivation(plan, opts)
  recordStarting(a)
  await startWorkers(a)
  if (opts.stage) {
    abandon(a) // checked: its workers stop again, the live release was never touched
    return { release: plan.id, token: a.token, ports: a.ports, started: a.started }
  }
  const previous = await switchNginx(a)
  const activation = switchRelease(a)
  retirePrevious(a, previous && previous.token !== a.token ? previous.token : undefined)
  return activation
}

/** Ports, memory groups, launchers, vassal files and the nginx file, rendered (and nginx's checked) before
 *  anything starts, so nothing starts if one of them fails. */
async function prepareActivation(plan: ReleasePlan, opts: ActivateOptions): Promise<Prepared> {
  const p = appPaths(plan.app)
  const token = `${plan.id}-${Date.now().toString(36)}`
  const runDir = activationDir(plan.app, token)
  mkdirSync(runDir, { recursive: true, mode: 0o700 })
  mkdirSync(p.logs, { recursive: true, mode: 0o700 })
  mkdirSync(hostPaths().vassals, { recursive: true, mode: 0o700 })
  const ports = await pickPorts(plan)
  const vassals = renderWorkers(plan, opts, token, runDir, ports)
  const live = { ...plan.env, ...(Object.values(ports)[0]?.length ? { PORT: String(Object.values(ports)[0][0]) } : {}) }

  // nginx: render and validate beside every other app's live file before anything starts
  if (plan.serverNames.length && (Object.values(ports).flat().length || plan.statics.length)) await prepareNginxFiles(plan)
  const nginxText = renderNginxFor(plan, ports, token, opts.host)
  const candidate = activationNginx(plan.app, token)
  if (nginxText) {
    writeFileAtomic(candidate, nginxText, 0o600) // root's master reads it; it may hold values NGINX_INCLUDE_FILE expanded
    await validateNginxFile(plan.app, candidate, nginxText)
  }
  return { plan, opts, token, runDir, ports, vassals, nginxText, candidate, live, started: new Date().toISOString() }
}

/** A port for every web and wsgi instance, beside the ones in use. */
async function pickPorts(plan: ReleasePlan): Promise<Record<string, number[]>> {
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
  return ports
}

/** Memory groups, launchers and env files written to the activation folder; the vassal files rendered. */
function renderWorkers(plan: ReleasePlan, opts: ActivateOptions, token: string, runDir: string, ports: Record<string, number[]>): { name: string; text: string }[] {
  const subtree = opts.host.memoryCgroup
  // memory caps: leftover empty groups of earlier activations go; each capped instance gets its own group
  removeAppGroups(plan.app, subtree, { keepToken: readActive(plan.app)?.token })
  const memory = planMemorySetup(plan.memory, subtree)
  const sandbox = checkSandbox(opts.host, false) // the deploy said it already; SANDBOX=require refuses here too
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
      const logFile = workerLogPath(plan.app, proc.kind, n)
      dropLink(logFile) // a link an app left in its log folder would send uwsgi's log where it points
      const spec: VassalSpec = { app: plan.app, release: plan.id, kind: proc.kind, n, role: proc.role, cwd: plan.dir, logFile, settings: plan.settings, port, memoryScript: capped.script }
      if (proc.role === 'wsgi') {
        const envFile = activationFile(plan.app, token, wsgiEnvName(proc.kind, n))
        writeFileAtomic(envFile, JSON.stringify({ env, cwd: plan.dir, module: proc.command, sitePackages: plan.sitePackages ?? null }), 0o600)
        // the loader goes with the activation: an app sandbox binds the activation, not the repo's templates
        spec.wsgi = { loader: activationCopy(plan.app, runDir, 'wsgi-loader.py'), envFile }
      } else if (proc.role === 'jwsgi') {
        spec.jwsgiOptions = prepareJwsgi(plan, jwsgiTemplate!, { envDir: activationFile(plan.app, token, jwsgiEnvDirName(proc.kind, n)), env, port: port!, command: proc.command })
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
        const launcher = activationFile(plan.app, token, launcherName(proc.kind, n))
        writeFileAtomic(launcher, renderLauncher({ title: `${plan.app} ${proc.kind}.${n}`, cwd: plan.dir, env, command: proc.command, supervise: proc.role !== 'cron' }), 0o700)
        chmodSync(launcher, 0o700)
        spec.launcher = launcher
        spec.cronSchedules = proc.cron
      }
      const title = `${plan.app} ${proc.kind}.${n}`
      const text = sandbox.on
        ? sandboxVassal(sandbox, { app: plan.app, title, release: plan.dir, runDir, kind: proc.kind, n, binds: plan.env[SANDBOX_BIND_KEY], memoryScript: capped.script }, renderVassal({ ...spec, memoryScript: undefined }), writeExecutable)
        : renderVassal(spec)
      vassals.push({ name: vassalName(plan.app, token, proc.kind, n), text })
    }
  }
  reportMemorySetup(memory, opts.quiet)
  return vassals
}

/** The journal knows this activation before its first worker starts: an interrupted deploy is found later. */
function recordStarting(a: Prepared): void {
  writeRecord({ app: a.plan.app, token: a.token, release: a.plan.id, ports: a.ports, vassals: a.vassals.map((v) => v.name), state: 'starting', owner: ownerOf(process.pid), started: a.started, plan: planToFile(a.plan) })
}

/** Give up on an activation before its switch: its vassal files, launchers, then its record; the old ones still serve. */
function abandon(a: Prepared): void {
  markRecord(a.plan.app, a.token, 'abandoned')
  removeActivation(a.plan.app, a.token)
}

/** Step 5: the new workers start beside the old ones, and the web ones must pass the health check. */
async function startWorkers(a: Prepared): Promise<void> {
  const { plan } = a
  try {
    for (const v of a.vassals) writeFileAtomic(vassalFile(v.name), v.text, 0o600)
  } catch (e) {
    abandon(a)
    throw e
  }
  const webPorts = Object.values(a.ports).flat()
  if (!webPorts.length) return
  if (!a.opts.quiet) log.step(`waiting for ${webPorts.length} web worker(s) to answer on ${plan.health.path}`)
  const hostHeader = plan.serverNames[0] ?? 'localhost'
  const dead = await waitHealthy(webPorts, plan.health.path, hostHeader, plan.health.timeoutMs, (answer) => judgeHealth(answer, plan.health))
  if (!dead.length) return
  abandon(a)
  const logs = webRoles(plan)
    .map((w) => tailLog(workerLogPath(plan.app, w.kind, 1)))
    .filter(Boolean)
    .join('\n')
  removeAppGroups(plan.app, a.opts.host.memoryCgroup, { onlyToken: a.token }) // those still emptying go at the next activation
  rmSync(a.runDir, { recursive: true, force: true })
  const answered = dead.find((d) => d.answer.status > 0)
  const what = answered
    ? `the new release answered GET ${plan.health.path} with ${describeAnswer(answered.answer)} (${answered.reason}) for ${plan.health.timeoutMs / 1000}s`
    : `the new release did not answer on ${plan.health.path} within ${plan.health.timeoutMs / 1000}s`
  throw new UserError(`${what}; the previous release keeps serving` + (logs ? `\n--- last lines of its log ---\n${logs}` : ''))
}

/** Step 6: the checked nginx file moves into place and nginx reloads gracefully. The previous activation is
 *  marked retiring (by us) first, so nothing takes it for an orphan while it still serves, and this one
 *  `switching`, so recovery knows nginx may serve it once its nginx file has left its folder. Returns the
 *  previous activation. */
async function switchNginx(a: Prepared): Promise<Activation | undefined> {
  const { plan, token, nginxText } = a
  const p = appPaths(plan.app)
  const previous = readActive(plan.app)
  if (previous && previous.token !== token) markRecord(plan.app, previous.token, 'retiring', { owner: ownerOf(process.pid) })
  try {
    if (nginxText) {
      markRecord(plan.app, token, 'starting', { switching: new Date().toISOString() })
      renameDurable(a.candidate, p.nginxConf)
      await reloadNginx()
      if (!(await nginxServes(a.opts.host, plan.serverNames[0], token))) log.warn('nginx has not picked up the new configuration yet')
    } else if (existsSync(p.nginxConf)) {
      rmSync(p.nginxConf, { force: true })
      await reloadNginx()
    }
  } catch (e) {
    if (previous && previous.token !== token) markRecord(plan.app, previous.token, 'switched')
    if (!nginxText || existsSync(a.candidate)) abandon(a) // its nginx file never moved into place: nothing serves it
    throw e
  }
  return previous
}

/** Step 7: `current` switches with one rename, then active.json, the journal, the app's state and LIVE_ENV
 *  follow; a certificate is asked for when one is due. */
function switchRelease(a: Prepared): Activation {
  const { plan, token } = a
  switchCurrent(plan.app, plan.id)
  writeStaged(plan.app, undefined) // whatever was staged is replaced by what now serves
  const activation: Activation = { release: plan.id, token, ports: a.ports, started: a.started }
  writeActive(plan.app, activation)
  markRecord(plan.app, token, 'switched', { switched: new Date().toISOString() })
  writeStopped(plan.app, false) // a `stop` lasts until the next activation (push, deploy, restart)
  writeFileAtomic(appPaths(plan.app).liveEnv, renderLiveEnv(a.live), 0o600)
  if (a.nginxText) requestCertificateIfDue(plan, a.opts.acme ? ok(a.opts.acme) : parseAcmeSettings(plan.env, a.opts.host.acme))
  return activation
}

/** Step 7, the end: old workers stop once the new ones serve, after a short drain. A detached process does
 *  that (and watches the new release for a minute when asked), so the push or verb returns as soon as the
 *  switch is made. */
function retirePrevious(a: Prepared, retire: string | undefined): void {
  const { plan, token, opts } = a
  const webPorts = Object.values(a.ports).flat()
  if (retire && !webPorts.length) removeActivation(plan.app, retire)
  if ((retire && webPorts.length) || (opts.watchPrevious && webPorts.length)) {
    const watcher = spawnAfterSwitch(plan.app, { token, retire: webPorts.length ? retire : undefined, drainMs: DRAIN_MS, watchPrevious: webPorts.length ? opts.watchPrevious : undefined })
    // the watcher stops the previous workers after the drain: it owns their record now
    if (retire && watcher) markRecord(plan.app, retire, 'retiring', { owner: ownerOf(watcher) })
  } else if (retire && removeAppGroups(plan.app, opts.host.memoryCgroup, { onlyToken: retire }).length) {
    spawnAfterSwitch(plan.app, { token, reap: retire, drainMs: 0 }) // the retired workers' memory cgroups, once they empty
  }
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
  const tokens = new Set([...vassalFiles(app).flatMap((f) => vassalToken(app, f) ?? []), ...readJournal(app).records.map((r) => r.token), ...(active ? [active.token] : [])])
  let n = 0
  for (const token of tokens) n += removeActivation(app, token)
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
