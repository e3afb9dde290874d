// paths: the only module that knows the on-disk layout of a piku-hooks user and of the toolkit.
import { homedir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the installed toolkit lives: the folder holding dist/, templates/, bin/. */
export function toolkitRoot(): string {
  // this file is dist/lib/paths.js inside the toolkit
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
}

export function templatePath(...parts: string[]): string {
  return join(toolkitRoot(), 'templates', ...parts)
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
  }
}

export interface AppPaths {
  app: string
  repo: string
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
  lock: string
  nginxConf: string
}

/** Paths of one app. `app` must already have passed validateAppName. */
export function appPaths(app: string, root: string = hostRoot()): AppPaths {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(app)) throw new Error(`invalid app name: ${app}`)
  const h = hostPaths(root)
  const home = join(h.apps, app)
  const config = join(h.config, app)
  return {
    app,
    repo: join(h.repos, app),
    home,
    releases: join(home, 'releases'),
    current: join(home, 'current'),
    config,
    env: join(config, 'ENV'),
    scaling: join(config, 'SCALING'),
    state: join(config, 'state.json'),
    liveEnv: join(config, 'LIVE_ENV'),
    data: join(h.data, app),
    cache: join(h.cache, app),
    deps: join(h.deps, app),
    logs: join(h.logs, app),
    deployLogs: join(h.logs, app, 'deploys'),
    lock: join(h.run, `${app}.lock`),
    nginxConf: join(h.nginx, `${app}.conf`),
  }
}

/** Vassal file names: `<app>@<release>@<kind>.<n>.ini`. `@` is not allowed in app names,
 *  so one app's names can never be a prefix of another's. */
export function vassalName(app: string, release: string, kind: string, n: number): string {
  return `${app}@${release}@${kind}.${n}.ini`
}

export function vassalPrefix(app: string): string {
  return `${app}@`
}

export function releaseDir(app: string, release: string, root: string = hostRoot()): string {
  return join(appPaths(app, root).releases, release)
}
