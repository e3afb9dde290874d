// deploy: turn a pushed revision into a release (checkout, validate, build, release command) and activate
// it. Everything that can fail runs before the switch; a failure leaves the running release untouched.
import { existsSync, readFileSync, readdirSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths, hostPaths, releaseDir } from '../state/paths.js'
import { parseProcfile, classifyKind, type Procfile, type ProcEntry } from '../parse/procfile.js'
import { renderUwsgiCron } from '../parse/cron.js'
import { parseUwsgiInclude, type VassalOption } from '../render/uwsgi.js'
import type { StaticMapping } from '../render/nginx.js'
import { composeAppEnv, type EnvInputs } from '../parse/app-env.js'
import { detectRuntime } from './runtime/detect.js'
import { missingToolchain, type HostToolchain } from '../parse/toolchain.js'
import { buildRuntime, fullFilesystem } from './runtime/build.js'
import { DiskFullError, isDiskFull } from '../host/atomic-file.js'
import { exportRevision, commitSubject } from '../host/git.js'
import { activate } from './activate.js'
import { type ReleasePlan, type ProcessPlan, currentRelease, nextReleaseId, writePlan, appendHistory, pruneReleases, removeRelease, readPlan, listReleases, readStaged, writeStaged } from '../state/release.js'
import { planStatics, planSettings } from '../parse/plan-settings.js'
import { planNginxSettings } from './nginx-app.js'
import { findLinksInto, findLinksOut } from '../host/sandbox.js'
import { checkSandbox, wrapCommand, sandboxBuildEnv, SANDBOX_BIND_KEY, type SandboxState } from './sandbox.js'
import { parseJwsgiClasspath } from '../parse/jvm.js'
import { readRedisRecord, writeRedisConf } from '../state/databases.js'
import { REDIS_KIND } from '../parse/database.js'
import { renderRedisCommand } from '../render/database-conf.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import type { AcmeSettings } from '../parse/acme-settings.js'
import { runStreamed } from '../host/system.js'
import { UserError, unwrap } from '../errors.js'
import * as log from '../log.js'

export interface DeployRequest {
  app: string
  sha: string
  key: string
  reason: string // push, deploy, config, scale, restore
  objectEnv?: NodeJS.ProcessEnv // git's quarantine variables, in pre-receive
  activate?: boolean // switch even when PIKU_AUTO_RESTART is off (deploy APP)
  gate?: (dir: string) => Promise<void> // after the checkout, before the build: throws to refuse (pre-receive.d)
}

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

export function ensureAppDirs(app: string): void {
  const p = appPaths(app)
  mkdirSync(p.releases, { recursive: true, mode: 0o750 })
  for (const d of [p.config, p.data, p.cache, p.logs]) mkdirSync(d, { recursive: true, mode: 0o700 })
  mkdirSync(p.deps, { recursive: true, mode: 0o750 })
}

/** Run a one-off Procfile command (preflight, release) in the release folder with the app's environment, inside
 *  the app's sandbox. */
async function runOnce(box: SandboxState, app: string, kind: string, command: string, dir: string, env: Record<string, string>): Promise<void> {
  log.step(`running ${kind}: ${command}`)
  const [cmd, args] = wrapCommand(box, app, 'once', { release: dir, binds: env[SANDBOX_BIND_KEY] }, '/bin/sh', ['-c', command])
  const code = await runStreamed(cmd, args, { cwd: dir, env })
  if (code !== 0) throw new UserError(`Procfile: ${kind} command failed (exit ${code}); the running release is unchanged`)
}

/** What this host has of the toolchains Procfile kinds need (uwsgi plugins, Debian's packaged gems). */
function readHostToolchain(): HostToolchain {
  const list = (d: string) => new Set(existsSync(d) ? readdirSync(d) : [])
  const pluginDir = '/usr/lib/uwsgi/plugins' // Debian's uwsgi looks for plugins here
  return { pluginDir, plugins: list(pluginDir), systemGems: list('/usr/share/rubygems-integration/all/gems') }
}

/** UWSGI_INCLUDE_FILE: extra `key = value` vassal options from a file in the app, checked line by line. */
function readUwsgiInclude(dir: string, name: string | undefined): VassalOption[] {
  if (!name?.trim()) return []
  const rel = name.trim()
  if (rel.startsWith('/') || rel.split('/').includes('..')) throw new UserError(`UWSGI_INCLUDE_FILE="${rel}": give a path inside the app, such as uwsgi.ini`)
  const text = readIf(join(dir, rel))
  if (text === undefined) throw new UserError(`UWSGI_INCLUDE_FILE="${rel}": no such file in this commit`)
  return unwrap(parseUwsgiInclude(text, rel))
}

/** Build the release's plan: what runs, where, with which environment; with the ACME settings it checked
 *  (for the activation's certificate request). In the order of the README's "What a push does" (steps 2 to
 *  4): parse and validate, preflight, build, plan the processes, run `release`. */
export async function buildRelease(req: DeployRequest, id: string, dir: string, host: HostSettings): Promise<{ plan: ReleasePlan; acme: AcmeSettings }> {
  const p = appPaths(req.app)
  const procfile = readProcfile(dir)
  const files = new Set(readdirSync(dir))
  const runtime = detectRuntime(files, procfile?.entries.map((e) => e.kind))
  const missing = missingToolchain(procfile?.entries.map((e) => e.kind) ?? [], files, readHostToolchain())
  if (missing) throw new UserError(missing)
  const inputs: EnvInputs = {
    app: req.app,
    release: id,
    home: hostPaths().root,
    user: host.user,
    dataRoot: p.data,
    cacheRoot: p.cache,
    logRoot: p.logs,
    repoEnv: readIf(join(dir, 'ENV')),
    configEnv: readIf(p.env),
  }
  let env = composeEnv(inputs, true)
  const kinds = (procfile?.entries ?? [{ kind: 'web' }]).map((e) => e.kind)
  const settings = unwrap(planSettings(env, req.app, host.domain, readIf(p.scaling) ?? '', kinds))
  const include = readUwsgiInclude(dir, env.UWSGI_INCLUDE_FILE)
  if (include.length) settings.vassal.include = include

  const box = checkSandbox(host)

  const preflight = procfile?.entries.find((e) => e.kind === 'preflight')
  if (preflight) await runOnce(box, req.app, 'preflight', preflight.command, dir, env)

  log.step(runtime === 'generic' ? 'no runtime to build (Procfile only)' : `${runtime} app detected`)
  const binds = env[SANDBOX_BIND_KEY]
  const sandbox = box.on ? (cmd: string, args: string[], cwd: string) => wrapCommand(box, req.app, 'build', { release: dir, cwd, binds }, cmd, args) : undefined
  const built = await buildRuntime(runtime, { app: req.app, dir, depsRoot: p.deps, env: { ...env, ...sandboxBuildEnv(box) }, sandbox })
  env = { ...composeEnv({ ...inputs, runtimePath: built.runtimePath }, false), ...built.env }

  const entries = procfileEntries(procfile, built.defaultWeb)
  const statics = planCheckedStatics(entries, env, dir)
  const { nginx, acme } = planNginxSettings(env, dir, req.app, host)
  const processes = planProcesses(entries, settings.scaling)
  checkProcesses(processes, statics.length > 0, runtime, dir, env)
  addRedis(req.app, processes)
  const jwsgi = procfile?.entries.some((e) => e.kind === 'jwsgi') === true
  const jvmClasspath = jwsgi ? planJvmClasspath(env, built.jvmClasspath, dir) : undefined

  const release = entries.find((e) => e.kind === 'release')
  if (release) await runOnce(box, req.app, 'release', release.command, dir, { ...env, PROC_TYPE: 'release' })

  const plan: ReleasePlan = {
    app: req.app,
    id,
    sha: req.sha,
    subject: await commitSubject(p.repo, req.sha, req.objectEnv).catch(() => ''),
    created: new Date().toISOString(),
    key: req.key,
    reason: req.reason,
    dir,
    env,
    processes,
    serverNames: settings.serverNames,
    statics,
    catchAll: settings.catchAll,
    allowGitFolders: settings.allowGitFolders,
    nginx,
    settings: settings.vassal,
    health: settings.health,
    autoRestart: settings.autoRestart,
    sitePackages: built.sitePackages,
    ...(jwsgi ? { jvmClasspath } : {}),
    depsDir: built.depsDir,
    keep: settings.keep,
    ...(Object.keys(settings.memory).length ? { memory: settings.memory } : {}),
  }
  return { plan, acme }
}

/** The static folders the Procfile and ENV name, each a folder of this commit. */
function planCheckedStatics(entries: ProcEntry[], env: Record<string, string>, dir: string): StaticMapping[] {
  const statics = unwrap(planStatics(entries, env, dir))
  for (const s of statics) {
    if (!existsSync(s.dir)) throw new UserError(`static folder ${s.dir.slice(dir.length + 1)} does not exist in this commit`)
    // nginx serves no link of a static folder (disable_symlinks); one out of the release is named now
    const out = findLinksOut(s.dir, dir)
    if (out.length) throw new UserError(`static folder ${s.dir.slice(dir.length + 1)}: ${out.slice(0, 5).join(', ')}${out.length > 5 ? ` and ${out.length - 5} more` : ''} link(s) out of the app's release; nginx serves no link of a static folder (copy the files in instead)`)
  }
  return statics
}

/** What the processes need of the commit and the runtime: something to run, Python for wsgi, the docroot
 *  folder and rackup file; a warning for settings that do not apply. */
function checkProcesses(processes: ProcessPlan[], hasStatics: boolean, runtime: string, dir: string, env: Record<string, string>): void {
  if (processes.every((x) => x.count === 0) && !hasStatics) {
    throw new UserError('Procfile: nothing to run (add a web, wsgi, static or worker line)')
  }
  if (processes.some((x) => x.role === 'wsgi') && runtime !== 'python') {
    throw new UserError('Procfile: a wsgi line needs a Python app (requirements.txt, or pyproject.toml with uv.lock, at the root)')
  }
  for (const x of processes) {
    // the docroot is a folder and the rackup file a file of this commit (the Procfile parser checked the paths)
    const want = x.role === 'php' ? 'folder' : x.role === 'rwsgi' ? 'file' : undefined
    const st = want ? statSync(join(dir, x.command), { throwIfNoEntry: false }) : undefined
    if (want && !(want === 'folder' ? st?.isDirectory() : st?.isFile())) {
      throw new UserError(`Procfile: "${x.kind}: ${x.command}": no such ${want} in this commit`)
    }
  }
  const single = processes.find((x) => x.role === 'php' || x.role === 'rwsgi')
  if (single && env.UWSGI_THREADS) log.warn(`UWSGI_THREADS does not apply to "${single.kind}": its workers run one request at a time (Debian's PHP and Ruby plugins are not thread-safe); scale with UWSGI_PROCESSES`)
}

/** The app's own Redis (redis:create): one daemon instance like a worker, in its sandbox and memory cap. */
function addRedis(app: string, processes: ProcessPlan[]): void {
  const redis = readRedisRecord(app)
  if (!redis) return
  if (processes.some((x) => x.kind === REDIS_KIND)) throw new UserError(`Procfile: the kind "${REDIS_KIND}" is taken by this app's Redis (redis:create); rename that line`)
  const conf = writeRedisConf(app, redis)
  processes.push({ kind: REDIS_KIND, role: 'daemon', command: renderRedisCommand(conf, redis.port), count: 1 })
}

/** jwsgi: the classpath the app names (JWSGI_CLASSPATH), else the jars its JVM build left, else the release. */
function planJvmClasspath(env: Record<string, string>, built: string[] | undefined, dir: string): string[] {
  let jvmClasspath = built
  if (env.JWSGI_CLASSPATH?.trim()) {
    jvmClasspath = unwrap(parseJwsgiClasspath(env.JWSGI_CLASSPATH, dir))
  }
  if (!jvmClasspath?.length) jvmClasspath = [dir]
  log.step(`jwsgi classpath: ${jvmClasspath.map((c) => c.slice(dir.length + 1) || '.').join(':')}`)
  return jvmClasspath
}

/** The commit's Procfile, parsed (undefined when it has none). */
function readProcfile(dir: string): Procfile | undefined {
  const text = readIf(join(dir, 'Procfile'))
  if (text === undefined) return undefined
  return unwrap(parseProcfile(text))
}

/** The app's environment (repo ENV, config:set values, ours); the first time, its warnings are shown. */
function composeEnv(inputs: EnvInputs, warn: boolean): Record<string, string> {
  const composed = unwrap(composeAppEnv(inputs))
  if (warn) for (const w of composed.warnings) log.warn(w)
  return composed.env
}

/** The Procfile's lines, or the runtime's default web command when there is no Procfile. */
function procfileEntries(procfile: Procfile | undefined, defaultWeb: string | undefined): ProcEntry[] {
  if (procfile) return procfile.entries
  if (!defaultWeb) throw new UserError('Procfile: not found, and nothing else to run (add a Procfile with a web, wsgi, static or worker line)')
  log.step(`no Procfile: running "${defaultWeb}" as web`)
  return [{ kind: 'web', command: defaultWeb, line: 0 }]
}

/** What runs: every Procfile line but static, release and preflight, with its role and count. */
function planProcesses(entries: ProcEntry[], scaling: Record<string, number>): ProcessPlan[] {
  const processes: ProcessPlan[] = []
  for (const e of entries) {
    const cls = classifyKind(e.kind)
    if (cls === 'static' || cls === 'release' || cls === 'preflight') continue
    const count = scaling[e.kind] ?? 1
    if (cls === 'cron') {
      processes.push({ kind: e.kind, role: 'cron', command: e.command, count: Math.min(count, 1), cron: e.cron ? renderUwsgiCron(e.cron) : [] })
    } else {
      processes.push({ kind: e.kind, role: cls === 'wsgi' || cls === 'jwsgi' || cls === 'web' || cls === 'php' || cls === 'rwsgi' ? cls : 'daemon', command: e.command, count })
    }
  }
  return processes
}

/** A failure caused by a full disk becomes one line naming the full filesystem (ENOSPC from a write of
 *  ours, or a tool that failed while one of `paths` had no space left); anything else is passed on. */
function diskFullError(e: unknown, paths: string[]): unknown {
  if (e instanceof DiskFullError) return e
  if (isDiskFull(e)) return new DiskFullError((e as NodeJS.ErrnoException).path ?? paths[0], e)
  if (e instanceof UserError) {
    const full = fullFilesystem(paths.filter((p) => existsSync(p)))
    if (full) return new DiskFullError(full, e, e.message.split('\n')[0].replace(/; the running release is unchanged$/, ''))
  }
  return e
}

/** Check out, build and activate a revision. Throws a UserError (and changes nothing live) on failure.
 *  The output is copied to logs/APP/deploys/ID.log; after a success, old releases, their deploy logs
 *  and dependency caches no kept release uses are removed. host.env is read here, once, for the whole deploy. */
export async function deployRevision(req: DeployRequest): Promise<ReleasePlan> {
  const start = Date.now()
  const host = readHostSettings()
  ensureAppDirs(req.app)
  const id = nextReleaseId(req.app)
  const dir = releaseDir(req.app, id)
  const { openDeployLog } = await import('../state/deploy-log.js')
  const upkeep = await import('../state/upkeep.js')
  const deployLog = openDeployLog(req.app, id)
  let keep = readPlan(req.app, currentRelease(req.app) ?? '')?.keep ?? 5
  try {
    log.step(`deploying ${req.app} ${req.sha.slice(0, 7)} as release ${id}`)
    const space = upkeep.readDiskSpace(hostPaths().root)
    const low = space && upkeep.diskWarning(hostPaths().root, space.free, space.total)
    if (low) log.warn(low)
    upkeep.rotateLogFile(appPaths(req.app).watchLog, upkeep.WATCH_LOG_MAX_BYTES)
    try {
      await exportRevision(appPaths(req.app).repo, req.sha, dir, req.objectEnv)
      // the toolkit reads the release outside any sandbox (ENV, Procfile, package.json...): no pushed link may lead it
      // into the home (another app's ENV, the key list)
      const into = findLinksInto(dir, hostPaths().root)
      if (into.length) throw new UserError(`${into.slice(0, 5).join(', ')}${into.length > 5 ? ` and ${into.length - 5} more` : ''}: link(s) into the host's home outside this release; a pushed link may point inside the app or to system files only`)
      if (req.gate) await req.gate(dir)
      const { plan, acme } = await buildRelease(req, id, dir, host)
      keep = plan.keep
      writePlan(plan)
      const previous = currentRelease(req.app)
      if (plan.autoRestart === false && !req.activate && previous && previous !== id) {
        // PIKU_AUTO_RESTART=0: build and check beside the live release, switch only on restart/deploy
        log.step(`PIKU_AUTO_RESTART is off: checking ${id} beside the live ${previous} without switching to it`)
        await activate(plan, { host, acme, stage: true })
        writeStaged(req.app, id)
        appendHistory(req.app, { id, sha: req.sha, time: plan.created, key: req.key, reason: req.reason, outcome: 'staged' })
        const removed = pruneReleases(req.app, plan.keep)
        if (removed.length) log.info(`removed old release(s) ${removed.join(', ')}`)
        log.step(`${req.app} ${id} is staged (${((Date.now() - start) / 1000).toFixed(1)}s); ${previous} keeps serving until "restart ${req.app}" or "deploy ${req.app}"`)
        return plan
      }
      await activate(plan, { host, acme, watchPrevious: previous && previous !== id ? previous : undefined })
      appendHistory(req.app, { id, sha: req.sha, time: plan.created, key: req.key, reason: req.reason, outcome: 'live' })
      const removed = pruneReleases(req.app, plan.keep)
      if (removed.length) log.info(`removed old release(s) ${removed.join(', ')}`)
      const kept = listReleases(req.app).flatMap((r) => readPlan(req.app, r) ?? [])
      const caches = upkeep.pruneDeps(req.app, kept)
      if (caches.length) log.info(`removed dependency cache(s) no kept release uses: ${caches.join(', ')}`)
      log.step(`${req.app} ${id} is live (${((Date.now() - start) / 1000).toFixed(1)}s)`)
      for (const n of plan.serverNames) log.info(`http://${n}/`)
      return plan
    } catch (caught) {
      deployLog.write(`error: ${(caught as Error).message}\n`)
      removeRelease(req.app, id)
      const e = diskFullError(caught, [dir, appPaths(req.app).deps, hostPaths().root])
      try {
        appendHistory(req.app, { id, sha: req.sha, time: new Date().toISOString(), key: req.key, reason: req.reason, outcome: 'failed', message: (e as Error).message.split('\n')[0] })
      } catch {} // broad on purpose: a full disk (or any second failure) must not hide why the deploy failed
      throw e
    }
  } finally {
    deployLog.close()
    upkeep.pruneDeployLogs(req.app, keep, listReleases(req.app))
  }
}

/** Switch to the release PIKU_AUTO_RESTART=0 staged (only when it was built from `sha`, if given): it starts
 *  again beside the live one, is health-checked, and takes over. False when there is nothing staged.
 *  The caller holds the app's lock. */
export async function activateStaged(app: string, key: string, reason: string, sha?: string): Promise<boolean> {
  const id = readStaged(app)
  const plan = id ? readPlan(app, id) : undefined
  const live = currentRelease(app)
  if (!id || !plan || id === live) {
    if (id) writeStaged(app, undefined)
    return false
  }
  if (sha && plan.sha !== sha) return false
  log.step(`switching ${app} from ${live ?? 'nothing'} to the staged release ${id} (${plan.sha.slice(0, 7)})`)
  await activate(plan, { host: readHostSettings(), watchPrevious: live })
  appendHistory(app, { id, sha: plan.sha, time: new Date().toISOString(), key, reason, outcome: 'live' })
  log.step(`${app} ${id} is live`)
  for (const n of plan.serverNames) log.info(`http://${n}/`)
  return true
}
