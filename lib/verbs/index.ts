// verbs/index: the verb table. Name -> summary, usage, the role it needs, and a lazy import.
// Nothing here runs at import time; a verb's module is loaded only when it is called.

import type { Role } from '../state/keys.js'
export type { Role }

export interface VerbContext {
  key: string // the key's name from authorized_keys, or 'local' for the host's own admin
  role: Role
  keyApps: string[] // apps a non-admin key may use
}

export interface VerbModule {
  run(ctx: VerbContext, args: string[]): Promise<number>
}

export interface Verb {
  name: string
  usage: string // one-line example, shown by help
  summary: string
  role: Role // the least role that may call it
  app: boolean // first argument is an app name
  load: () => Promise<VerbModule>
}

const v = (name: string, usage: string, summary: string, role: Role, app: boolean, load: () => Promise<VerbModule>): Verb => ({ name, usage, summary, role, app, load })

// piku's verbs, names and argument shapes; `releases`, `rollback` and `keys*` are ours.
// Roles: read = apps, ps, logs, releases (and git fetch) of its apps; deploy = also push, deploy, restart,
// rollback of its apps; admin = everything: creating apps (first push), config, scale, run, stop, destroy, keys.
export const VERBS: Verb[] = [
  v('apps', 'apps [--json]', 'list apps and whether each is running', 'read', false, () => import('./apps.js')),
  v('certs', 'certs [APP] [--json]', 'HTTPS certificates: names, issuer, expiry, last attempt and error', 'read', false, () => import('./certs.js')),
  v('config', 'config APP [--json]', 'show the config:set values', 'admin', true, () => import('./config.js')),
  v('config:get', 'config:get APP KEY', 'print one config:set value', 'admin', true, () => import('./config-get.js')),
  v('config:set', "config:set APP KEY=VALUE...", 'set values and redeploy (quote spaces: K="a b")', 'admin', true, () => import('./config-set.js')),
  v('config:unset', 'config:unset APP KEY...', 'remove values and redeploy', 'admin', true, () => import('./config-unset.js')),
  v('config:live', 'config:live APP [--json]', 'the running environment, PORT included', 'admin', true, () => import('./config-live.js')),
  v('deploy', 'deploy APP', 'redeploy the deploy branch\'s commit (starts a stopped app; switches to a staged release)', 'deploy', true, () => import('./deploy.js')),
  v('destroy', 'destroy APP [--data]', 'remove the app; its data folder too with --data', 'admin', true, () => import('./destroy.js')),
  v('logs', 'logs APP [KIND] [-n N]', 'tail and follow worker logs (-n N: N lines, no follow)', 'read', true, () => import('./logs.js')),
  v('logs:deploy', 'logs:deploy APP [RELEASE]', 'print a kept deploy log (the newest by default, failed pushes too)', 'read', true, () => import('./logs-deploy.js')),
  v('ps', 'ps APP [--json]', 'kinds, counts, pids and memory', 'read', true, () => import('./ps.js')),
  v('ps:scale', 'ps:scale APP KIND=N...', 'set worker counts and redeploy, e.g. web=2 worker=0', 'admin', true, () => import('./ps-scale.js')),
  v('releases', 'releases APP [--json]', 'releases on disk, newest first', 'read', true, () => import('./releases.js')),
  v('restart', 'restart APP', 'start the live (or the staged) release again (new workers, then switch)', 'deploy', true, () => import('./restart.js')),
  v('rollback', 'rollback APP [ID]', 'go back to the previous (or a given) release', 'deploy', true, () => import('./rollback.js')),
  v('run', 'run APP [--] COMMAND...', 'run a command in the live release with its environment', 'admin', true, () => import('./run.js')),
  v('stop', 'stop APP', 'stop the app until the next deploy, restart or push', 'admin', true, () => import('./stop.js')),
  v('setup:ssh', 'setup:ssh < KEY.pub', 'authorize an admin key read from stdin', 'admin', false, () => import('./setup-ssh.js')),
  v('keys', 'keys [--json]', 'authorized keys: name, role, fingerprint, apps', 'admin', false, () => import('./keys.js')),
  v('keys:add', 'keys:add NAME admin|deploy|read [APP...] < KEY.pub', 'authorize a key with a role (deploy/read: only the apps named)', 'admin', false, () => import('./keys-add.js')),
  v('keys:remove', 'keys:remove NAME', 'remove a key (never the last admin key)', 'admin', false, () => import('./keys-remove.js')),
  v('backup', 'backup APP > APP.tar.gz', 'the app as one archive: repo, ENV, SCALING, key grants, data', 'admin', true, () => import('./backup.js')),
  v('restore', 'restore APP [--force] < APP.tar.gz', 'recreate an app from a backup and deploy it', 'admin', false, () => import('./restore.js')),
  v('doctor', 'doctor [--json]', 'check nginx, the emperor, disk, memory, certificates and every app', 'admin', false, () => import('./doctor.js')),
  v('help', 'help', 'this list', 'read', false, () => import('./help.js')),
]

export function findVerb(name: string): Verb | undefined {
  return VERBS.find((x) => x.name === name)
}

export function renderHelp(): string {
  const width = Math.max(...VERBS.map((x) => x.usage.length))
  return ['Usage: ssh USER@HOST VERB [ARGS]', '', ...VERBS.map((x) => `  ${x.usage.padEnd(width)}  ${x.summary}`), ''].join('\n')
}
