// database: the pure side of each app's PostgreSQL database and Redis: the role and database name an app
// gets, the environment that wires it (DATABASE_URL and PG*, REDIS_URL), the piku-hooks lines of pg_hba.conf,
// what pg_lsclusters says, whether a file is a custom-format dump, and the Redis record's shape.
import { createHash } from 'node:crypto'
import { fail, ok, type Result } from '../errors.js'

/** PostgreSQL truncates identifiers at 63 bytes. */
const PG_NAME_MAX = 63
const USER = /^[a-z_][a-z0-9_-]{0,31}$/
const PASSWORD = /^[A-Za-z0-9]{16,128}$/
const LOCAL = '127.0.0.1'

/** The config keys postgres:create sets (and postgres:destroy unsets). */
export const DATABASE_KEYS = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'] as const
/** The config key redis:create sets. */
export const REDIS_KEYS = ['REDIS_URL'] as const
/** The Procfile kind an app's Redis runs as (a daemon vassal like a worker). */
export const REDIS_KIND = 'redis'

/**
 * The role (and database) name of `app` of the piku user `user`: `USER.APP`. '.' never occurs in a user
 * name, so two (user, app) pairs never share a name; one longer than PostgreSQL's 63 bytes keeps its first 54
 * characters and a hash of the whole (`~` occurs in neither name, so a shortened name is never a plain one).
 */
export function databaseName(user: string, app: string): string {
  const full = `${user}.${app}`
  if (full.length <= PG_NAME_MAX) return full
  return `${full.slice(0, 54)}~${createHash('sha256').update(full).digest('hex').slice(0, 8)}`
}

/** The group role every app role of `user` is in: pg_hba lets its members reach their own database only. */
export function appsGroupRole(user: string): string {
  return `${user}~apps`
}

export function validateUserName(user: string): Result<string> {
  return USER.test(user) ? ok(user) : fail(`user name ${JSON.stringify(user.slice(0, 40))}: not a plain Unix user name`)
}

export interface DatabaseTarget {
  name: string // role and database
  password: string
  port: number
}

/** The variables that connect an app to its database: libpq's PG* and the URL every framework reads. */
export function planDatabaseEnv(t: DatabaseTarget): [string, string][] {
  if (!PASSWORD.test(t.password)) throw new Error('database password: letters and digits only')
  const name = encodeURIComponent(t.name)
  return [
    ['DATABASE_URL', `postgres://${name}:${t.password}@${LOCAL}:${t.port}/${name}`],
    ['PGHOST', LOCAL],
    ['PGPORT', String(t.port)],
    ['PGDATABASE', t.name],
    ['PGUSER', t.name],
    ['PGPASSWORD', t.password],
  ]
}

/** REDIS_URL in the form every client library reads. */
export function redisUrl(password: string, port: number): string {
  if (!PASSWORD.test(password)) throw new Error('redis password: letters and digits only')
  return `redis://:${password}@${LOCAL}:${port}/0`
}

/** What redis:create keeps about an app's Redis (config/APP/redis.json): its port and password. */
export interface RedisRecord {
  port: number
  password: string
}

export function parseRedisRecord(text: string, file = 'redis.json'): Result<RedisRecord> {
  let v: Partial<RedisRecord> | null
  try {
    v = JSON.parse(text) as Partial<RedisRecord> | null
  } catch {
    // pure parsing: JSON.parse fails only with a SyntaxError
    return fail(`${file}: not JSON`)
  }
  if (!v || typeof v !== 'object') return fail(`${file}: not an object`)
  if (typeof v.port !== 'number' || !Number.isInteger(v.port) || v.port < 1024 || v.port > 65535) return fail(`${file}: port must be a number from 1024 to 65535`)
  if (typeof v.password !== 'string' || !PASSWORD.test(v.password)) return fail(`${file}: password must be 16-128 letters and digits`)
  return ok({ port: v.port, password: v.password })
}

export function renderRedisRecord(r: RedisRecord): string {
  return JSON.stringify({ port: r.port, password: r.password }, null, 2) + '\n'
}

/** The port of a REDIS_URL or DATABASE_URL of ours (127.0.0.1), or undefined. */
export function urlPort(url: string | undefined): number | undefined {
  const m = /@127\.0\.0\.1:(\d{1,5})\//.exec(url ?? '')
  return m ? Number(m[1]) : undefined
}

const BEGIN = (user: string) => `# piku-hooks ${user}: begin (install.sh --with postgres; edits inside are replaced)`
const END = (user: string) => `# piku-hooks ${user}: end`

/**
 * pg_hba.conf with the lines of piku user `user` first (the first matching line decides): its own role never
 * over TCP (only the local socket, by peer, which no app's sandbox holds); each app role over 127.0.0.1 with a
 * scram password to the database of its own name (`samerole`) and nowhere else. An existing block of the
 * user is replaced in place; everything else stays as written.
 */
export function planPgHba(text: string, user: string): string {
  if (!USER.test(user)) throw new Error(`invalid user name ${JSON.stringify(user)}`)
  const group = appsGroupRole(user)
  const block = [
    BEGIN(user),
    `host    all         ${user.padEnd(16)} all             reject`,
    `host    samerole    +${group.padEnd(15)} ${LOCAL}/32    scram-sha-256`,
    `host    all         +${group.padEnd(15)} all             reject`,
    END(user),
  ]
  const lines = text.split('\n')
  const start = lines.indexOf(BEGIN(user))
  const end = lines.indexOf(END(user), start)
  if (start >= 0 && end > start) {
    lines.splice(start, end - start + 1, ...block)
    return lines.join('\n')
  }
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
  const at = first < 0 ? lines.length : first
  lines.splice(at, 0, ...block, '')
  return lines.join('\n')
}

export interface Cluster {
  version: string
  name: string
  port: number
  running: boolean
}

/** `pg_lsclusters --no-header` lines: `15  main 5432 online postgres /var/lib/... /var/log/...`. */
export function parseClusters(text: string): Cluster[] {
  const out: Cluster[] = []
  for (const line of text.split('\n')) {
    const m = /^(\d+(?:\.\d+)?)\s+(\S+)\s+(\d+)\s+(\S+)/.exec(line.trim())
    if (m) out.push({ version: m[1], name: m[2], port: Number(m[3]), running: m[4].startsWith('online') })
  }
  return out
}

/** pg_dump's custom format starts with these bytes. */
export const DUMP_MAGIC = 'PGDMP'

/** Whether the first bytes of a file are a custom-format dump's (a plain SQL file, a tar, junk are not). */
export function validateDumpHead(head: Uint8Array): Result<true> {
  const text = String.fromCharCode(...head.subarray(0, DUMP_MAGIC.length))
  if (head.length >= DUMP_MAGIC.length && text === DUMP_MAGIC) return ok(true)
  return fail('stdin: not a PostgreSQL custom-format dump (make one with postgres:export APP > APP.dump, or pg_dump -Fc)')
}

/** One `--force`, nothing else, after APP (postgres:destroy, redis:destroy). */
export function parseForceArgs(verb: string, rest: string[]): Result<boolean> {
  const extra = rest.filter((a) => a !== '--force')
  if (extra.length) return fail(`${verb}: unexpected argument ${JSON.stringify(extra[0].slice(0, 40))}; usage: ${verb} APP --force`)
  return ok(rest.includes('--force'))
}

/** No argument after APP, or only `--json` when `json` is allowed. */
export function parseNoArgs(verb: string, rest: string[], json = false): Result<{ json: boolean }> {
  const extra = rest.filter((a) => !(json && a === '--json'))
  if (extra.length) return fail(`${verb}: unexpected argument ${JSON.stringify(extra[0].slice(0, 40))}; usage: ${verb} APP${json ? ' [--json]' : ''}`)
  return ok({ json: rest.includes('--json') })
}

/** An SQL identifier, double-quoted (for the few statements psql variables cannot reach: -c, PGOPTIONS). */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier with a NUL byte')
  return `"${name.replace(/"/g, '""')}"`
}

/** libpq's PGOPTIONS value that makes a session take `role` (backslash before spaces and backslashes). */
export function roleOption(role: string): string {
  return `-c role=${role.replace(/[\\ ]/g, (c) => `\\${c}`)}`
}

/** What postgres:info reports about an app's database. */
export interface DatabaseInfo {
  database: string
  role: string
  host: string
  port: number
  bytes: number
  size: string
  connections: number
}

/** psql's unaligned line `SIZE_BYTES|PRETTY|CONNECTIONS` for `name` on `port`; undefined for no line. */
export function parseDatabaseInfo(text: string, name: string, port: number): DatabaseInfo | undefined {
  const m = /^(\d+)\|([^|\n]+)\|(\d+)$/m.exec(text)
  if (!m) return undefined
  return { database: name, role: name, host: '127.0.0.1', port, bytes: Number(m[1]), size: m[2], connections: Number(m[3]) }
}

export function renderDatabaseInfo(i: DatabaseInfo): string {
  return [`database:    ${i.database}`, `role:        ${i.role}`, `host:        ${i.host}:${i.port} (password in the app's config: PGPASSWORD)`, `size:        ${i.size}`, `connections: ${i.connections}`].join('\n')
}

export interface RedisInfo {
  running: boolean
  version?: string
  pid?: number
  keys?: number
  memory?: string
}

/** What redis-cli INFO says (`key:value` lines, `db0:keys=N,...`); '' (no answer) means not running. */
export function parseRedisInfo(text: string): RedisInfo {
  const v = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':')
    if (at > 0) v.set(line.slice(0, at), line.slice(at + 1))
  }
  if (!v.has('redis_version')) return { running: false }
  let keys = 0
  for (const [k, val] of v) if (/^db\d+$/.test(k)) keys += Number(/keys=(\d+)/.exec(val)?.[1] ?? 0)
  return { running: true, version: v.get('redis_version'), pid: Number(v.get('process_id')), keys, memory: v.get('used_memory_human') }
}
