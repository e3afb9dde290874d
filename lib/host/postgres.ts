// host/postgres: PostgreSQL's client programs as I/O primitives (psql, pg_dump, pg_restore, pg_lsclusters,
// pg_ctlcluster). SQL is sent on stdin; every value reaches it as a psql variable read from the child's own
// environment (`\getenv`), interpolated by psql as :'literal' or :"identifier": nothing is spliced into SQL,
// and no password shows in a command line. Knows no piku-hooks layout.
import type { StdioOptions } from 'node:child_process'
import { runAttached, runCapture, type RunResult } from './run.js'
import { isErrno } from '../errors.js'

/** Where Debian's PostgreSQL puts its local socket (peer login of the piku role). */
export const SOCKET_DIR = '/var/run/postgresql'

/** How psql, pg_dump and pg_restore reach the server: the local socket as this Unix user (peer), or a role's
 *  password over 127.0.0.1. */
export interface PgLogin {
  database: string
  role?: string // default: the Unix user's name (peer)
  password?: string // with it: TCP to 127.0.0.1:port
  port?: number
  osUser?: string // run the client as this Unix user (root only: the install step as postgres)
  setRole?: string // PGOPTIONS for the session (`-c role=NAME`: act as a role the login is a member of)
}

const VAR = /^[a-z][a-z0-9_]*$/

function loginEnv(login: PgLogin, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', PGDATABASE: login.database, PGCONNECT_TIMEOUT: '10', ...extra }
  if (process.env.HOME) env.HOME = process.env.HOME
  if (login.password !== undefined) {
    env.PGHOST = '127.0.0.1'
    env.PGPASSWORD = login.password
  } else env.PGHOST = SOCKET_DIR
  if (login.port) env.PGPORT = String(login.port)
  if (login.role) env.PGUSER = login.role
  if (login.setRole) env.PGOPTIONS = login.setRole
  return env
}

function asUser(login: PgLogin, cmd: string, args: string[]): [string, string[]] {
  return login.osUser ? ['runuser', ['-u', login.osUser, '--', cmd, ...args]] : [cmd, args]
}

/** `\getenv` lines that bring `vars` in as psql variables, and the environment that carries them. */
function sqlVariables(vars: Record<string, string>): { head: string; env: Record<string, string> } {
  const env: Record<string, string> = {}
  const head: string[] = []
  for (const [k, v] of Object.entries(vars)) {
    if (!VAR.test(k)) throw new Error(`psql variable name ${JSON.stringify(k)}`)
    env[`PIKU_SQL_${k.toUpperCase()}`] = v
    head.push(`\\getenv ${k} PIKU_SQL_${k.toUpperCase()}`)
  }
  return { head: head.join('\n'), env }
}

/** Run `sql` (psql syntax, variables as :'name' / :"name") and return its unaligned, tuples-only output. */
export function runSql(login: PgLogin, sql: string, vars: Record<string, string> = {}, opts: { singleTransaction?: boolean } = {}): Promise<RunResult> {
  const v = sqlVariables(vars)
  const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...(opts.singleTransaction ? ['--single-transaction'] : []), '-f', '-']
  const [cmd, argv] = asUser(login, 'psql', args)
  return runCapture(cmd, argv, { env: loginEnv(login, v.env), cwd: '/', input: `${v.head}\n${sql}\n` })
}

/** Run an SQL script file in one transaction (all or nothing), after `prefix` (psql syntax, no variables). */
export function runSqlFile(login: PgLogin, prefix: string, file: string): Promise<RunResult> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-c', prefix, '-f', file]
  const [cmd, argv] = asUser(login, 'psql', args)
  return runCapture(cmd, argv, { env: loginEnv(login), cwd: '/' })
}

/** psql on our own stdio: a terminal session with `ssh -t`, SQL from stdin without one. */
export async function runPsqlAttached(login: PgLogin, stdio: StdioOptions = 'inherit'): Promise<number> {
  const [cmd, argv] = asUser(login, 'psql', ['-X', '-v', 'ON_ERROR_STOP=1'])
  return (await runAttached(cmd, argv, { env: { ...loginEnv(login), TERM: process.env.TERM ?? 'dumb' }, cwd: '/', stdio })).code
}

/** pg_dump in the custom format to our stdout (or `file`). */
export function runPgDump(login: PgLogin, file?: string): Promise<{ code: number; stderr: string }> {
  const [cmd, argv] = asUser(login, 'pg_dump', ['-Fc', '--no-owner', '--no-privileges', ...(file ? ['-f', file] : [])])
  return runAttached(cmd, argv, { env: loginEnv(login), cwd: '/', stdio: ['ignore', file ? 'ignore' : 'inherit', 'pipe'] })
}

/** A custom-format dump as an SQL script (`out`), objects owned by whoever runs it; also proves it is readable. */
export function runPgRestoreToScript(dump: string, out: string): Promise<RunResult> {
  return runCapture('pg_restore', ['--no-owner', '--no-privileges', '-f', out, dump], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' }, cwd: '/' })
}

/** pg_lsclusters' lines (version, name, port, status, ...), or '' where PostgreSQL is not installed. */
export async function readClusterList(): Promise<string> {
  try {
    const r = await runCapture('pg_lsclusters', ['--no-header'])
    return r.code === 0 ? r.stdout : ''
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e // no pg_lsclusters: PostgreSQL is not installed
    return ''
  }
}

/** pg_ctlcluster VERSION NAME start|restart|reload (root). */
export function runPgCtlCluster(version: string, name: string, action: 'start' | 'restart' | 'reload'): Promise<RunResult> {
  return runCapture('pg_ctlcluster', [version, name, action])
}

/** The configuration folder of a Debian cluster (postgresql.conf, pg_hba.conf, conf.d/). */
export function clusterConfigDir(version: string, name: string): string {
  return `/etc/postgresql/${version}/${name}`
}
