// paths: the only module that knows the on-disk layout of a piku-hooks user and of the toolkit.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve, dirname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateAppName } from '../parse/app-name.js'

/** Where the installed toolkit lives: the folder holding dist/, templates/, bin/. */
export function toolkitRoot(): string {
  // this file is dist/lib/state/paths.js inside the toolkit
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
}

/** A compiled script of the toolkit, for starting it as a process of its own. */
export function toolkitScript(name: string): string {
  return join(toolkitRoot(), 'dist', 'lib', 'entries', name)
}

/**
 * Whether this process was started as the script `name` (e.g. 'watch.js'). By name, not import.meta.url:
 * inside a bundled entry point every module shares the bundle's URL.
 */
export function startedAs(name: string): boolean {
  return (process.argv[1] ?? '').endsWith(`/${name}`)
}

/** A template as the toolkit ships it (templates/...). For an app's deploys use appTemplatePath. */
export function templatePath(...parts: string[]): string {
  return join(toolkitRoot(), 'templates', ...parts)
}

/** The manifest of every hook and template version the toolkit has shipped (`HASH  PATH` lines). */
export function stockManifestPath(toolkit: string = toolkitRoot()): string {
  return join(toolkit, 'dist', 'stock.sha256')
}

/** The toolkit's compiled stock hook (hooks/NAME.cts), the source of repos/APP/hooks/NAME. */
export function stockHookPath(name: string, toolkit: string = toolkitRoot()): string {
  return join(toolkit, 'dist', 'hooks', `${name}.cjs`)
}

/** Templates that belong to the host (install.sh renders them once), not to an app: never copied into a repo. */
export const HOST_TEMPLATES = ['nginx/host.conf', 'uwsgi/emperor.ini', 'uwsgi/renew.ini']
/** The template folders whose files each app gets a copy of in repos/APP/templates/. */
export const APP_TEMPLATE_DIRS = ['nginx', 'uwsgi']

/**
 * The template an app's deploy renders from: its own copy in repos/APP/templates/ (written by the first
 * push, edited by the admin at will), or the toolkit's when the app has none (an app from before copies).
 */
export function appTemplatePath(app: string, ...parts: string[]): string {
  const own = join(appPaths(app).templates, ...parts)
  return existsSync(own) ? own : templatePath(...parts)
}

/** The same path, as an admin would name it: `repos/APP/templates/nginx/app.conf` (relative to the host root). */
export function displayPath(path: string, root: string = hostRoot()): string {
  return within(root, path) && path !== root ? path.slice(resolve(root).length + 1) : path
}

/** True when `path` is `root` itself or lies inside it, after resolving `.` and `..` (no symlinks followed). */
export function within(root: string, path: string): boolean {
  const r = resolve(root)
  const p = resolve(path)
  return p === r || p.startsWith(r.endsWith(sep) ? r : r + sep)
}

/** `join(root, ...parts)`, refused (thrown: a name that got past validation is a bug) when it leaves `root`
 *  or names `root` itself. */
export function joinWithin(root: string, ...parts: string[]): string {
  const path = join(root, ...parts)
  if (!within(root, path) || resolve(path) === resolve(root)) throw new Error(`path ${JSON.stringify(parts.join('/'))} leaves ${root}`)
  return path
}

/** The piku user's home: every app's repo, releases, config, data and logs live under it. */
export function hostRoot(): string {
  return process.env.PIKU_ROOT || homedir()
}

export interface HostPaths {
  root: string
  settings: string // host.env written by install.sh (HTTP_PORT, HTTPS_PORT, DOMAIN, ...)
  repos: string
  apps: string
  config: string
  data: string
  cache: string
  deps: string
  logs: string
  run: string
  uwsgi: string
  emperorIni: string
  emperorPid: string
  emperorLog: string
  vassals: string
  nginx: string // live per-app nginx files, included by the host's nginx
  nginxStaging: string
  authorizedKeys: string
  keysDb: string
  keysFetch: string // config/.keys.fetch: `KEY *` or `KEY APP...` lines, for the fetch path that skips Node
  acme: string // ACME HTTP-01 challenge files, served by nginx at /.well-known/acme-challenge/ (0750)
  certs: string // certs/APP/: certificates and keys (0700); certs/.accounts: ACME account keys
  acmeAccounts: string
  renewVassal: string // the host's own vassal: daily certificate renewal (`@` first: no app's vassal prefix)
  renewLog: string
  keysLock: string
  auth: string // auth/APP.htpasswd: basic-auth users (auth:add), read by nginx's workers (0710)
  auditLog: string // logs/.audit.log: who did what, JSON lines (rotated to .audit.log.old); a dot name no app can take
  hooks: string // hooks/pre-receive.d/, hooks/post-receive.d/: the admin's scripts for every app of the host
  verbs: string // verbs/NAME: the admin's own verbs (`ssh USER@HOST NAME ARGS`)
}

export function hostPaths(root: string = hostRoot()): HostPaths {
  return {
    root,
    settings: join(root, 'host.env'),
    repos: join(root, 'repos'),
    apps: join(root, 'apps'),
    config: join(root, 'config'),
    data: join(root, 'data'),
    cache: join(root, 'cache'),
    deps: join(root, 'deps'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    uwsgi: join(root, 'uwsgi'),
    emperorIni: join(root, 'uwsgi', 'emperor.ini'),
    emperorPid: join(root, 'uwsgi', 'emperor.pid'),
    emperorLog: join(root, 'uwsgi', 'emperor.log'),
    vassals: join(root, 'uwsgi', 'vassals'),
    nginx: join(root, 'nginx'),
    nginxStaging: join(root, 'nginx', '.staging'),
    authorizedKeys: join(root, '.ssh', 'authorized_keys'),
    keysDb: join(root, 'config', '.keys.json'),
    keysFetch: join(root, 'config', '.keys.fetch'),
    acme: join(root, 'acme'),
    certs: join(root, 'certs'),
    acmeAccounts: join(root, 'certs', '.accounts'),
    renewVassal: join(root, 'uwsgi', 'vassals', '@piku-hooks-renew.ini'),
    renewLog: join(root, 'logs', '.renew.log'),
    keysLock: join(root, 'run', 'keys.lock'),
    auth: join(root, 'auth'),
    auditLog: join(root, 'logs', '.audit.log'),
    hooks: join(root, 'hooks'),
    verbs: join(root, 'verbs'),
  }
}

export interface AppPaths {
  app: string
  repo: string
  hooks: string // repos/APP/hooks: git's hooks (real files, the admin's to edit) and pre-/post-receive.d/
  templates: string // repos/APP/templates: this app's copy of the nginx and uwsgi templates
  stockState: string // repos/APP/piku-stock.sha256: which stock version each copy was last reconciled with
  pushed: string // run/APP.pushed.json: pre-receive tells post-receive what went live
  home: string // apps/<app>
  releases: string
  current: string // symlink to the live release
  config: string // config/<app>
  env: string // config/<app>/ENV (config:set values)
  scaling: string
  state: string // config/<app>/state.json (stopped flag, ...)
  liveEnv: string
  data: string
  cache: string
  deps: string
  logs: string
  deployLogs: string
  active: string // apps/APP/active.json: the live activation (token, ports)
  staged: string // apps/APP/staged: the id of a release built and checked, not switched to (PIKU_AUTO_RESTART=0)
  history: string // apps/APP/history.jsonl: one line per deploy attempt
  activations: string // apps/APP/activations: the activation journal, one TOKEN.json each
  runRoot: string // apps/APP/run: one TOKEN/ folder per activation (launchers, env files, its nginx file)
  watchLog: string // logs/APP/watch.log: the detached watcher's output
  certsLog: string // logs/APP/certs.log: the background certificate request's output
  certLive: string // certs/APP/live: the link to the certificate nginx serves
  certState: string // certs/APP/state.json: where the certificate came from, the last ACME attempt
  lock: string
  certsLock: string // run/APP.certs.lock: one certificate request at a time
  nginxConf: string
  nginxCache: string // cache/APP/nginx: NGINX_CACHE_PREFIXES answers, written by nginx's workers
  authFile: string // auth/APP.htpasswd: `user:hash` lines, readable by nginx's workers and the user alone
  certs: string // certs/APP: `live` -> self-signed/ or acme-TIME/ (fullchain.pem, key.pem), state.json
  redisRecord: string // config/APP/redis.json: the port and password of the app's Redis (redis:create)
  redisDir: string // data/APP/redis: the app's Redis data (append-only files) and its redis.conf
  redisConf: string
}

/** Paths of one app. `app` must already have passed validateAppName. */
export function appPaths(app: string, root: string = hostRoot()): AppPaths {
  if (!validateAppName(app).ok) throw new Error(`invalid app name: ${JSON.stringify(app)}`)
  const h = hostPaths(root)
  const home = joinWithin(h.apps, app)
  const config = joinWithin(h.config, app)
  return {
    app,
    repo: joinWithin(h.repos, app),
    hooks: join(h.repos, app, 'hooks'),
    templates: join(h.repos, app, 'templates'),
    stockState: join(h.repos, app, 'piku-stock.sha256'),
    pushed: joinWithin(h.run, `${app}.pushed.json`),
    home,
    releases: join(home, 'releases'),
    current: join(home, 'current'),
    config,
    env: join(config, 'ENV'),
    scaling: join(config, 'SCALING'),
    state: join(config, 'state.json'),
    liveEnv: join(config, 'LIVE_ENV'),
    data: joinWithin(h.data, app),
    cache: joinWithin(h.cache, app),
    deps: joinWithin(h.deps, app),
    logs: joinWithin(h.logs, app),
    deployLogs: join(h.logs, app, 'deploys'),
    active: join(home, 'active.json'),
    staged: join(home, 'staged'),
    history: join(home, 'history.jsonl'),
    activations: join(home, 'activations'),
    runRoot: join(home, 'run'),
    watchLog: join(h.logs, app, 'watch.log'),
    certsLog: join(h.logs, app, 'certs.log'),
    certLive: join(h.certs, app, 'live'),
    certState: join(h.certs, app, 'state.json'),
    lock: joinWithin(h.run, `${app}.lock`),
    certsLock: joinWithin(h.run, `${app}.certs.lock`),
    nginxConf: joinWithin(h.nginx, `${app}.conf`),
    nginxCache: join(h.cache, app, 'nginx'),
    authFile: joinWithin(h.auth, `${app}.htpasswd`),
    certs: joinWithin(h.certs, app),
    redisRecord: join(config, 'redis.json'),
    redisDir: join(h.data, app, 'redis'),
    redisConf: join(h.data, app, 'redis', 'redis.conf'),
  }
}

/** A vassal file in the emperor's folder (uwsgi/vassals/NAME). */
export function vassalFile(name: string, root: string = hostRoot()): string {
  return joinWithin(hostPaths(root).vassals, name)
}

/** The admin's script folders of a git hook, host-wide first: `hooks/HOOK.d`, then `repos/APP/hooks/HOOK.d`. */
export function hookScriptDirs(app: string, hook: string, root: string = hostRoot()): string[] {
  return [joinWithin(hostPaths(root).hooks, `${hook}.d`), joinWithin(appPaths(app, root).hooks, `${hook}.d`)]
}

/** Vassal file names: `<app>@<token>@<kind>.<n>.ini` (token: release id and activation time). `@` is not
 *  allowed in app names, so one app's names can never be a prefix of another's. */
export function vassalName(app: string, token: string, kind: string, n: number): string {
  return `${vassalPrefix(app, token)}${kind}.${n}.ini`
}

/** A worker instance's memory cgroup under the user's subtree: `<app>@<token>@<kind>.<n>`, its vassal's name. */
export function memoryGroupName(app: string, token: string, kind: string, n: number): string {
  return `${vassalPrefix(app, token)}${kind}.${n}`
}

/** The start of every vassal name of an app, or of one activation of it. */
export function vassalPrefix(app: string, token?: string): string {
  return token === undefined ? `${app}@` : `${app}@${token}@`
}

/** What a vassal file name says: app, token, kind and instance number; undefined for any other file. */
export function parseVassalName(file: string): { app: string; token: string; kind: string; n: number } | undefined {
  const m = /^([^@/]+)@([^@/]+)@([A-Za-z][A-Za-z0-9_-]*)\.(\d+)\.ini$/.exec(file)
  return m ? { app: m[1], token: m[2], kind: m[3], n: Number(m[4]) } : undefined
}

/** The start of the name of every file of one worker instance in its activation folder: `KIND.N.`. */
export function instanceFilePrefix(kind: string, n: number): string {
  return `${kind}.${n}.`
}

/** A worker's launcher in its activation folder: `KIND.N.sh`. */
export function launcherName(kind: string, n: number): string {
  return `${instanceFilePrefix(kind, n)}sh`
}

/** A wsgi worker's environment in its activation folder: `KIND.N.json` (read by the wsgi loader). */
export function wsgiEnvName(kind: string, n: number): string {
  return `${instanceFilePrefix(kind, n)}json`
}

/** A jwsgi worker's environment in its activation folder: the envdir `KIND.N.env/` (one file per variable). */
export function jwsgiEnvDirName(kind: string, n: number): string {
  return `${instanceFilePrefix(kind, n)}env`
}

/** A capped worker's exec-asap script in its activation folder: `KIND.N.memory.sh` (joins its memory cgroup). */
export function memoryScriptName(kind: string, n: number): string {
  return `${instanceFilePrefix(kind, n)}memory.sh`
}

/** A worker's log file name under logs/APP: `KIND.N.log` (uwsgi rotates it to `.old`). */
export function workerLogName(kind: string, n: number): string {
  return `${kind}.${n}.log`
}

/** A worker's log file: `logs/APP/KIND.N.log`. */
export function workerLogPath(app: string, kind: string, n: number, root: string = hostRoot()): string {
  return joinWithin(appPaths(app, root).logs, workerLogName(kind, n))
}

/** What a worker log file name says (kind, instance number); undefined for any other file. */
export function parseWorkerLogName(file: string): { kind: string; n: number } | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_-]{0,31})\.(\d{1,3})\.log$/.exec(file)
  return m ? { kind: m[1], n: Number(m[2]) } : undefined
}

/** The folder of an app's activation folders: `apps/APP/run`, one `TOKEN/` each. */
export function activationsRunRoot(app: string, root: string = hostRoot()): string {
  return appPaths(app, root).runRoot
}

/** Where an activation's generated launchers and env files go (private to the user). */
export function activationDir(app: string, token: string, root: string = hostRoot()): string {
  return joinWithin(activationsRunRoot(app, root), token)
}

/** A file of one activation in its folder (a launcher, an env file: names from launcherName, wsgiEnvName, ...). */
export function activationFile(app: string, token: string, name: string, root: string = hostRoot()): string {
  return joinWithin(activationDir(app, token, root), name)
}

/** An activation's nginx file, rendered and checked, waiting in its folder for the switch (renamed into place then). */
export function activationNginx(app: string, token: string, root: string = hostRoot()): string {
  return join(activationDir(app, token, root), 'nginx.conf')
}

/** The live nginx file re-rendered for the same activation (maintenance, basic auth), before its swap. */
export function activationNginxNext(app: string, token: string, root: string = hostRoot()): string {
  return join(activationDir(app, token, root), 'nginx.conf.next')
}

/** The activation journal of an app: one record per activation, `apps/APP/activations/TOKEN.json`. */
export function activationsDir(app: string, root: string = hostRoot()): string {
  return appPaths(app, root).activations
}

export function activationRecord(app: string, token: string, root: string = hostRoot()): string {
  return joinWithin(activationsDir(app, root), `${token}.json`)
}

/** The token of a vassal file name of `app` (`APP@TOKEN@KIND.N.ini`), or undefined. */
export function vassalToken(app: string, file: string): string | undefined {
  const prefix = vassalPrefix(app)
  if (!file.startsWith(prefix) || !file.endsWith('.ini')) return undefined
  const rest = file.slice(prefix.length)
  const at = rest.indexOf('@')
  return at > 0 ? rest.slice(0, at) : undefined
}

/** A release's folder: `apps/APP/releases/vN`. */
export function releaseDir(app: string, release: string, root: string = hostRoot()): string {
  return joinWithin(appPaths(app, root).releases, release)
}

/** A release's plan: `apps/APP/releases/vN.json`. */
export function releasePlanPath(app: string, release: string, root: string = hostRoot()): string {
  return joinWithin(appPaths(app, root).releases, `${release}.json`)
}

/** A certificate's folder beside the `live` link: `certs/APP/self-signed`, `certs/APP/acme-TIME`, or a temp one. */
export function certDir(app: string, name: string, root: string = hostRoot()): string {
  return joinWithin(appPaths(app, root).certs, name)
}

/** The files of a certificate folder nginx names. */
export function certFiles(dir: string): { cert: string; key: string } {
  return { cert: join(dir, 'fullchain.pem'), key: join(dir, 'key.pem') }
}
