// databases: an app's PostgreSQL database and Redis, made, wired, reported, exported, imported and dropped.
// PostgreSQL is reached as the piku role over the local socket (peer; see install.sh --with postgres), acting
// as the app's own role (PGOPTIONS role=) where objects are made. Every change of config goes through
// applyFileChange (redeploy, or nothing changed). The caller validated the app name; the verbs hold no logic.
import { randomBytes } from 'node:crypto'
import { userInfo } from 'node:os'
import { appPaths } from '../state/paths.js'
import { readConfigText, readConfigValues } from '../state/app-config.js'
import { readRedisRecord, writeRedisRecord, redisPorts } from '../state/databases.js'
import { applyEnvChanges } from '../parse/env-file.js'
import {
  appsGroupRole,
  databaseName,
  planDatabaseEnv,
  parseDatabaseInfo,
  quoteIdent,
  redisUrl,
  roleOption,
  validateDumpHead,
  DATABASE_KEYS,
  REDIS_KEYS,
  type DatabaseInfo,
  type RedisRecord,
} from '../parse/database.js'
import { runSql, runSqlFile, runPgDump, runPgRestoreToScript, runPsqlAttached, SOCKET_DIR, type PgLogin } from '../host/postgres.js'
import { UserError } from '../errors.js'
import type { Check } from '../render/doctor-report.js'
import * as log from '../log.js'

const ADMIN: PgLogin = { database: 'postgres' }

/** A fresh password: letters and digits only, so it needs no escaping in a URL or a config file. */
export function newPassword(): string {
  return randomBytes(24).toString('hex')
}

export function appDatabase(app: string): string {
  return databaseName(userInfo().username, app)
}

/** Turn psql's failure into one line a user can act on. */
function pgError(what: string, stderr: string): UserError {
  const line = stderr.trim().split('\n').find((l) => /ERROR|FATAL|error/.test(l)) ?? stderr.trim().split('\n')[0] ?? ''
  if (/No such file or directory|Connection refused/.test(stderr) && stderr.includes(SOCKET_DIR)) {
    return new UserError(`${what}: PostgreSQL is not running on this host (as root: piku-boot starts it; install.sh --with postgres sets it up)`)
  }
  if (/role ".*" does not exist/.test(stderr) && !/CREATE|ALTER/.test(what)) {
    return new UserError(`${what}: this user has no PostgreSQL role (as root: install.sh --user ${userInfo().username} --with postgres)`)
  }
  return new UserError(`${what}: ${line.replace(/^psql:[^:]*:\d+: /, '').slice(0, 300)}`)
}

/** psql as the piku role; a missing PostgreSQL becomes one line. */
async function sql(what: string, login: PgLogin, text: string, vars: Record<string, string> = {}): Promise<string> {
  let r
  try {
    r = await runSql(login, text, vars)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${what}: PostgreSQL is not installed here (as root: install.sh --with postgres)`)
    throw e
  }
  if (r.code !== 0) throw pgError(what, r.stderr)
  return r.stdout
}

/** Whether the app's role and database exist. */
export async function databaseExists(app: string): Promise<boolean> {
  const name = appDatabase(app)
  const out = await sql('postgres', ADMIN, "SELECT count(*) FROM pg_database WHERE datname = :'name';", { name })
  return out.trim() === '1'
}

/** Make (or take back, with a new password) the app's role and database: CONNECT for it alone, scram over
 *  127.0.0.1 (pg_hba). Returns the variables that wire it. */
export async function ensureDatabase(app: string): Promise<[string, string][]> {
  const name = appDatabase(app)
  const password = newPassword()
  const out = await sql(`postgres:create ${app}`, ADMIN, [
    "SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \\gexec",
    "ALTER ROLE :\"name\" LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'password';",
    'GRANT :"group" TO :"name";',
    'GRANT :"name" TO CURRENT_USER;',
    "SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \\gexec",
    'REVOKE ALL ON DATABASE :"name" FROM PUBLIC;',
    'SHOW port;',
  ].join('\n'), { name, password, group: appsGroupRole(userInfo().username) })
  const port = Number(out.trim().split('\n').pop())
  if (!Number.isInteger(port) || port <= 0) throw new UserError(`postgres:create ${app}: PostgreSQL did not say its port`)
  return planDatabaseEnv({ name, password, port })
}

/** Drop the app's database (its connections are ended) and role; false when there was none. */
export async function dropDatabase(app: string): Promise<boolean> {
  const name = appDatabase(app)
  const out = await sql(`postgres:destroy ${app}`, ADMIN, [
    "SELECT count(*) FROM pg_database WHERE datname = :'name';",
    'DROP DATABASE IF EXISTS :"name" WITH (FORCE);',
    'DROP ROLE IF EXISTS :"name";',
  ].join('\n'), { name })
  return out.trim() === '1'
}

/** The app's database as PostgreSQL sees it now, or undefined when it has none. */
export async function readDatabaseInfo(app: string): Promise<DatabaseInfo | undefined> {
  const name = appDatabase(app)
  const out = await sql(`postgres:info ${app}`, ADMIN, [
    "SELECT pg_database_size(datname), pg_size_pretty(pg_database_size(datname)), (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname) FROM pg_database d WHERE datname = :'name';",
    'SHOW port;',
  ].join('\n'), { name })
  const port = Number(out.trim().split('\n').pop())
  return parseDatabaseInfo(out, name, port)
}

/** The login that acts as the app's own role in its database (objects made are the app's). */
function appLogin(app: string): PgLogin {
  return { database: appDatabase(app), setRole: roleOption(appDatabase(app)) }
}

async function requireDatabase(verb: string, app: string): Promise<void> {
  if (!(await databaseExists(app))) throw new UserError(`${verb}: "${app}" has no database (postgres:create ${app} makes one)`)
}

export async function connectDatabase(app: string): Promise<number> {
  await requireDatabase('postgres:connect', app)
  return runPsqlAttached(appLogin(app))
}

/** pg_dump -Fc of the app's database to stdout, or to `file` (a backup). */
export async function exportDatabase(app: string, file?: string): Promise<void> {
  await requireDatabase('postgres:export', app)
  const r = await runPgDump(appLogin(app), file)
  if (r.code !== 0) throw pgError(`postgres:export ${app}`, r.stderr)
}

/** Check a dump file (its first bytes, then pg_restore reading all of it into `script`) before anything changes. */
export async function checkDump(file: string, script: string): Promise<void> {
  const { openSync, readSync, closeSync } = await import('node:fs')
  const head = Buffer.alloc(5)
  const fd = openSync(file, 'r')
  const n = readSync(fd, head, 0, 5, 0)
  closeSync(fd)
  const valid = validateDumpHead(head.subarray(0, n))
  if (!valid.ok) throw new UserError(`${valid.errors[0]}; nothing changed`)
  let r
  try {
    r = await runPgRestoreToScript(file, script)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('PostgreSQL is not installed here (as root: install.sh --with postgres); nothing changed')
    throw e
  }
  if (r.code !== 0) throw new UserError(`the dump cannot be read (${r.stderr.trim().split('\n')[0]}); nothing changed`)
}

/** Replace the database's contents with a checked script: in one transaction, everything the app's role owns
 *  goes, then the script runs; any error and the database is as it was. */
export async function loadScript(app: string, script: string): Promise<void> {
  const name = appDatabase(app)
  const r = await runSqlFile(appLogin(app), `DROP OWNED BY ${quoteIdent(name)};`, script)
  if (r.code !== 0) throw pgError(`postgres:import ${app} (nothing changed)`, r.stderr)
}

/** Save `input` into a private temp folder, check it is a dump, and load it. */
export async function importDatabase(app: string, input: NodeJS.ReadableStream): Promise<void> {
  const { createWriteStream, mkdtempSync, mkdirSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { pipeline } = await import('node:stream/promises')
  const { hostPaths } = await import('../state/paths.js')
  await requireDatabase('postgres:import', app)
  const run = hostPaths().run
  mkdirSync(run, { recursive: true, mode: 0o700 })
  const tmp = mkdtempSync(join(run, `import-${app}-`))
  try {
    const dump = join(tmp, 'in.dump')
    await pipeline(input, createWriteStream(dump, { mode: 0o600 }))
    const script = join(tmp, 'in.sql')
    await checkDump(dump, script)
    await loadScript(app, script)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** The ENV text with the database variables set (or, with `undefined`, unset). */
export function withDatabaseEnv(text: string, vars: [string, string][] | undefined): string {
  return vars ? applyEnvChanges(text, vars) : applyEnvChanges(text, [], [...DATABASE_KEYS])
}

/** postgres:create: the database, then its variables and a redeploy (nothing changed if that fails; the
 *  database stays, and a second postgres:create takes it back with a new password). */
export async function createDatabase(app: string, key: string): Promise<void> {
  const { withAppLock, applyFileChange } = await import('./app-change.js')
  await withAppLock(app, 'postgres:create', async () => {
    if (readConfigValues(app).DATABASE_URL !== undefined) {
      throw new UserError(`postgres:create ${app}: DATABASE_URL is set already (postgres:info ${app}; config:unset ${app} DATABASE_URL for another database); nothing changed`)
    }
    const existed = await databaseExists(app)
    const vars = await ensureDatabase(app)
    log.step(existed ? `took back the database ${appDatabase(app)} kept from an earlier "${app}" (new password)` : `created the database ${appDatabase(app)} and its role`)
    log.step(`setting ${DATABASE_KEYS.join(', ')} for "${app}"`)
    await applyFileChange({ app, file: appPaths(app).env, text: withDatabaseEnv(readConfigText(app), vars), reason: 'config', key })
  })
}

export async function destroyDatabase(app: string, key: string): Promise<void> {
  const { withAppLock, applyFileChange } = await import('./app-change.js')
  await withAppLock(app, 'postgres:destroy', async () => {
    await requireDatabase('postgres:destroy', app)
    const text = readConfigText(app)
    if (withDatabaseEnv(text, undefined) !== text) {
      log.step(`unsetting ${DATABASE_KEYS.join(', ')} for "${app}"`)
      await applyFileChange({ app, file: appPaths(app).env, text: withDatabaseEnv(text, undefined), reason: 'config', key })
    }
    await dropDatabase(app)
    log.step(`dropped the database ${appDatabase(app)} and its role`)
  })
}

// --- Redis

/** Ports no new Redis may take: every app's Redis and every web worker's. */
async function takenPorts(): Promise<Set<number>> {
  const { usedPorts } = await import('./activate.js')
  return usedPorts()
}

/** A free loopback port for a Redis: `preferred` when no other app has it and nothing listens there. */
export async function pickRedisPort(app: string, preferred?: number): Promise<number> {
  const { pickFreePort } = await import('../host/system.js')
  const others = new Map([...redisPorts()].filter(([a]) => a !== app))
  const taken = await takenPorts()
  for (const p of others.values()) taken.add(p)
  if (preferred !== undefined && ![...others.values()].includes(preferred)) {
    const got = await pickFreePort(new Set(), preferred, preferred).catch(() => undefined) // free right now
    if (got === preferred) return preferred
  }
  return pickFreePort(taken)
}

export function redisEnv(record: RedisRecord): [string, string][] {
  return [['REDIS_URL', redisUrl(record.password, record.port)]]
}

export async function createRedis(app: string, key: string): Promise<void> {
  const { existsSync } = await import('node:fs')
  if (!['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((f) => existsSync(f))) {
    throw new UserError(`redis:create ${app}: Redis is not installed here (as root: install.sh --with redis); nothing changed`)
  }
  const { withAppLock, applyFileChange } = await import('./app-change.js')
  await withAppLock(app, 'redis:create', async () => {
    if (readRedisRecord(app)) throw new UserError(`redis:create ${app}: "${app}" has a Redis already (redis:info ${app}); nothing changed`)
    if (readConfigValues(app).REDIS_URL !== undefined) throw new UserError(`redis:create ${app}: REDIS_URL is set already (config:unset ${app} REDIS_URL first); nothing changed`)
    const record: RedisRecord = { port: await pickRedisPort(app), password: newPassword() }
    writeRedisRecord(app, record)
    log.step(`Redis for "${app}" on 127.0.0.1:${record.port}, data in ${appPaths(app).redisDir}`)
    log.step(`setting REDIS_URL for "${app}"`)
    try {
      await applyFileChange({ app, file: appPaths(app).env, text: applyEnvChanges(readConfigText(app), redisEnv(record)), reason: 'config', key })
    } catch (e) {
      writeRedisRecord(app, undefined)
      throw e
    }
  })
}

export async function destroyRedis(app: string, key: string): Promise<void> {
  const { rmSync } = await import('node:fs')
  const { withAppLock, applyFileChange } = await import('./app-change.js')
  await withAppLock(app, 'redis:destroy', async () => {
    const record = requireRedis('redis:destroy', app)
    writeRedisRecord(app, undefined)
    try {
      log.step(`unsetting REDIS_URL for "${app}"`)
      await applyFileChange({ app, file: appPaths(app).env, text: applyEnvChanges(readConfigText(app), [], [...REDIS_KEYS]), reason: 'config', key })
    } catch (e) {
      writeRedisRecord(app, record)
      throw e
    }
    rmSync(appPaths(app).redisDir, { recursive: true, force: true })
    log.step(`removed the Redis of "${app}" and its data`)
  })
}

export function requireRedis(verb: string, app: string): RedisRecord {
  const r = readRedisRecord(app)
  if (!r) throw new UserError(`${verb}: "${app}" has no Redis (redis:create ${app} makes one)`)
  return r
}

/** redis-cli against the app's Redis (password through its environment, never an argument). */
export async function runRedisCli(app: string, record: RedisRecord, args: string[], capture: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runAttached, runCapture } = await import('../host/run.js')
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', REDISCLI_AUTH: record.password, HOME: process.env.HOME ?? '/', TERM: process.env.TERM ?? 'dumb' }
  const argv = ['-h', '127.0.0.1', '-p', String(record.port), ...args]
  try {
    if (capture) return await runCapture('redis-cli', argv, { env, cwd: '/' })
    const r = await runAttached('redis-cli', argv, { env, cwd: '/' })
    return { code: r.code, stdout: '', stderr: r.stderr }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`redis-cli is not installed here (as root: install.sh --with redis)`)
    throw e
  }
}

/** Whether the app has a database: true/false, or the one line saying why PostgreSQL could not be asked.
 *  That line is '' (nothing to do) unless the app is wired to its database (PGDATABASE in its config): a host
 *  without PostgreSQL, or with it but not set up for this user (no role: install.sh without --with postgres),
 *  holds no database of an app that was never wired, so backup and destroy go on without one. */
export async function probeDatabase(app: string): Promise<boolean | string> {
  try {
    return await databaseExists(app)
  } catch (e) {
    if (!(e instanceof UserError)) throw e
    const wired = readConfigValues(app).PGDATABASE === appDatabase(app)
    return wired && !/not installed/.test(e.message) ? e.message : ''
  }
}

/** doctor's lines: PostgreSQL answers the piku role; each app wired to its database logs in with its own
 *  credentials over 127.0.0.1 (pg_hba, password, CONNECT); each app's Redis answers its password. */
export async function databaseChecks(apps: string[]): Promise<Check[]> {
  const checks: Check[] = []
  const wired = apps.filter((a) => readConfigValues(a).PGDATABASE === appDatabase(a))
  let server: string | undefined
  try {
    server = (await sql('PostgreSQL', ADMIN, 'SHOW server_version;')).trim()
    checks.push({ name: 'PostgreSQL', level: 'ok', message: `${server} answers the ${userInfo().username} role on ${SOCKET_DIR}` })
  } catch (e) {
    const msg = (e as Error).message
    if (/not installed/.test(msg) && !wired.length) return checks.concat(await redisChecks(apps))
    checks.push({ name: 'PostgreSQL', level: wired.length ? 'FAIL' : 'warn', message: msg.replace(/^PostgreSQL: /, '') })
  }
  for (const app of wired) {
    const v = readConfigValues(app)
    if (server === undefined) {
      checks.push({ name: `${app} database`, level: 'FAIL', message: `${v.PGDATABASE} cannot be reached: PostgreSQL does not answer` })
      continue
    }
    const r = await runSql({ database: v.PGDATABASE, role: v.PGUSER, password: v.PGPASSWORD, port: Number(v.PGPORT) }, 'SELECT pg_size_pretty(pg_database_size(current_database()));')
    checks.push(r.code === 0
      ? { name: `${app} database`, level: 'ok', message: `${v.PGDATABASE} (${r.stdout.trim()}) takes the app's own login on 127.0.0.1:${v.PGPORT}` }
      : { name: `${app} database`, level: 'FAIL', message: `the app's login to ${v.PGDATABASE} fails (${r.stderr.trim().split('\n')[0]}): postgres:info ${app}; config:unset ${app} DATABASE_URL then postgres:create ${app} gives it a new password` })
  }
  return checks.concat(await redisChecks(apps))
}

async function redisChecks(apps: string[]): Promise<Check[]> {
  const { readAppState } = await import('../state/app-state.js')
  const out: Check[] = []
  for (const app of apps) {
    let record: RedisRecord | undefined
    try {
      record = readRedisRecord(app)
    } catch (e) {
      out.push({ name: `${app} redis`, level: 'FAIL', message: (e as Error).message })
      continue
    }
    if (!record) continue
    const r = await runRedisCli(app, record, ['--no-auth-warning', 'ping'], true).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }))
    const answers = r.code === 0 && r.stdout.trim() === 'PONG'
    if (answers) out.push({ name: `${app} redis`, level: 'ok', message: `answers on 127.0.0.1:${record.port}` })
    else if (readAppState(app).stopped) out.push({ name: `${app} redis`, level: 'warn', message: `not running: ${app} is stopped (deploy or restart starts it)` })
    else out.push({ name: `${app} redis`, level: 'FAIL', message: `does not answer on 127.0.0.1:${record.port} (${(r.stderr || r.stdout).trim().split('\n')[0] || 'no answer'}): logs ${app} redis; restart ${app}` })
  }
  return out
}
