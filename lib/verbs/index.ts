// verbs/index: the verb table, the one place a verb is declared. Name -> usage, summary, the role it needs,
// whether its first argument is an existing app, and what its audit line records. Help, access checks,
// the audit log and bin/piku's list of verbs without an app all come from here. A verb `a:b` lives in
// lib/verbs/a-b.ts and exports `run(ctx, args)`; ssh-command loads it only when it is called.
// Plain data: nothing here imports a verb, and nothing runs at import time.
import type { KeyGrant, Role } from '../parse/access.js'
import { auditAfterApp, auditAll, auditBare, auditConfigSet, auditConfigUnset, auditFirstAfterApp, auditSays, type AuditDetail } from '../parse/audit-detail.js'
export type { Role }

/** Who is calling a verb: the key's name, role and apps. */
export type VerbContext = KeyGrant

export interface VerbModule {
  run(ctx: VerbContext, args: string[]): Promise<number>
}

export interface Verb {
  name: string
  usage: string // one-line example, shown by help; `VERB APP ...` or `VERB [APP] ...` when the client adds its app
  summary: string
  role: Role // the least role that may call it
  app: boolean // first argument must name an existing app (checked, with the key's access to it, before run)
  audit?: AuditDetail // audited verbs: what the audit line records as `detail`
}

const v = (name: string, usage: string, summary: string, role: Role, app: boolean, audit?: AuditDetail): Verb => ({ name, usage, summary, role, app, audit })

// piku's verbs, names and argument shapes; `releases`, `rollback`, `keys*`, `auth*` are ours, `maintenance:*` dokku's.
// Roles: read = apps, ps, logs, releases (and git fetch) of its apps; deploy = also push, deploy, restart,
// rollback, maintenance of its apps; admin = everything: creating apps (first push), config, scale, run, stop, destroy, keys.
export const VERBS: readonly Verb[] = [
  v('apps', 'apps [--json]', 'list apps and whether each is running', 'read', false),
  v('certs', 'certs [APP] [--json]', 'HTTPS certificates: names, issuer, expiry, last attempt and error', 'read', false),
  v('config', 'config APP [--json]', 'show the config:set values', 'admin', true),
  v('config:get', 'config:get APP KEY', 'print one config:set value', 'admin', true),
  v('config:set', 'config:set APP KEY=VALUE...', 'set values and redeploy (quote spaces: K="a b")', 'admin', true, auditConfigSet),
  v('config:unset', 'config:unset APP KEY...', 'remove values and redeploy', 'admin', true, auditConfigUnset),
  v('config:live', 'config:live APP [--json]', 'the running environment, PORT included', 'admin', true),
  v('deploy', 'deploy APP', "redeploy the deploy branch's commit (starts a stopped app; switches to a staged release)", 'deploy', true, auditBare),
  v('destroy', 'destroy APP [--data]', 'remove the app; its data folder, database and Redis data too with --data', 'admin', true, auditAfterApp),
  v('logs', 'logs APP [KIND] [-n N]', 'tail and follow worker logs (-n N: N lines, no follow)', 'read', true),
  v('logs:deploy', 'logs:deploy APP [RELEASE]', 'print a kept deploy log (the newest by default, failed pushes too)', 'read', true),
  v('ps', 'ps APP [--json]', 'kinds, counts, pids and memory', 'read', true),
  v('ps:scale', 'ps:scale APP KIND=N...', 'set worker counts and redeploy, e.g. web=2 worker=0', 'admin', true, auditAfterApp),
  v('releases', 'releases APP [--json]', 'releases on disk, newest first', 'read', true),
  v('restart', 'restart APP', 'start the live (or the staged) release again (new workers, then switch)', 'deploy', true, auditBare),
  v('rollback', 'rollback APP [ID]', 'go back to the previous (or a given) release', 'deploy', true, auditAfterApp),
  v('run', 'run APP [--] COMMAND...', 'run a command in the live release with its environment', 'admin', true, auditAfterApp),
  v('stop', 'stop APP', 'stop the app until the next deploy, restart or push', 'admin', true, auditBare),
  v('maintenance:on', 'maintenance:on APP', 'answer every request with 503 and a maintenance page, until maintenance:off', 'deploy', true, auditBare),
  v('maintenance:off', 'maintenance:off APP', 'end maintenance mode: the app answers again', 'deploy', true, auditBare),
  v('auth', 'auth APP [--json]', 'basic-auth users of the app', 'admin', true),
  // the user's name only: a password typed as a further argument by mistake stays out of the log
  v('auth:add', 'auth:add APP USER < PASSWORD', 'add or change a basic-auth user (password on stdin, never an argument)', 'admin', true, auditFirstAfterApp),
  v('auth:remove', 'auth:remove APP USER', 'remove a basic-auth user (the last one gone: no password asked)', 'admin', true, auditFirstAfterApp),
  v('setup:ssh', 'setup:ssh < KEY.pub', 'authorize an admin key read from stdin', 'admin', false, auditSays('admin key from stdin')),
  v('keys', 'keys [--json]', 'authorized keys: name, role, fingerprint, apps', 'admin', false),
  v('keys:add', 'keys:add NAME admin|deploy|read [APP...] < KEY.pub', 'authorize a key with a role (deploy/read: only the apps named)', 'admin', false, auditAll),
  v('keys:remove', 'keys:remove NAME', 'remove a key (never the last admin key)', 'admin', false, auditAll),
  // the archive holds the app's secrets: who took one is worth knowing
  v('backup', 'backup APP > APP.tar.gz', 'the app as one archive: repo, ENV, SCALING, key grants, data, database, Redis', 'admin', true, auditAfterApp),
  // restore's app is its first argument too, but it may not exist yet
  v('restore', 'restore APP [--force] < APP.tar.gz', 'recreate an app from a backup and deploy it', 'admin', false, auditAll),
  // databases: each app's own PostgreSQL database and Redis (install.sh --with postgres,redis); who took a dump or a
  // session is worth knowing, as with backup
  v('postgres:create', 'postgres:create APP', 'a PostgreSQL database and role for the app, wired as DATABASE_URL and PG*; redeploys', 'admin', true, auditBare),
  v('postgres:info', 'postgres:info APP [--json]', 'database, role, size and connections (no password)', 'admin', true),
  v('postgres:connect', 'postgres:connect APP', 'psql on the app\'s database (SQL on stdin; ssh -t for a terminal)', 'admin', true, auditBare),
  v('postgres:export', 'postgres:export APP > APP.dump', 'the database as a pg_dump custom-format file', 'admin', true, auditBare),
  v('postgres:import', 'postgres:import APP < APP.dump', "replace the database's contents with a dump (all or nothing)", 'admin', true, auditBare),
  v('postgres:destroy', 'postgres:destroy APP --force', 'unset the variables, redeploy, drop the database and role', 'admin', true, auditAfterApp),
  v('redis:create', 'redis:create APP', "a Redis of the app's own (an instance of it, append-only data), wired as REDIS_URL; redeploys", 'admin', true, auditBare),
  v('redis:info', 'redis:info APP [--json]', 'port, data folder, keys and memory of the app\'s Redis (no password)', 'admin', true),
  v('redis:connect', 'redis:connect APP', "redis-cli on the app's Redis (commands on stdin; ssh -t for a terminal)", 'admin', true, auditBare),
  v('redis:destroy', 'redis:destroy APP --force', 'unset REDIS_URL, redeploy without it, remove its data', 'admin', true, auditAfterApp),
  v('doctor', 'doctor [--json]', 'check nginx, the emperor, disk, memory, certificates and every app', 'admin', false),
  v('hooks', 'hooks APP [--json]', "the app's git hooks and templates (stock or edited) and its .d scripts", 'admin', true),
  v('hooks:reset', 'hooks:reset APP [FILE]', 'put the stock hook or template back (the edit is kept as FILE.edited-TIME)', 'admin', true, auditAfterApp),
  v('help', 'help', "this list, then the host's own verbs (~/verbs)", 'read', false),
]

export function findVerb(name: string): Verb | undefined {
  return VERBS.find((x) => x.name === name)
}

/** The module file of a verb, relative to lib/verbs/ without its extension: `config:set` -> `config-set`. */
export function verbFile(name: string): string {
  return name.replace(/:/g, '-')
}

export function renderHelp(verbs: readonly Verb[] = VERBS): string {
  const width = Math.max(...verbs.map((x) => x.usage.length))
  return ['Usage: ssh USER@HOST VERB [ARGS]', '', ...verbs.map((x) => `  ${x.usage.padEnd(width)}  ${x.summary}`), ''].join('\n')
}
