// e2e/databases: each app's PostgreSQL database and Redis, as a new user would use them on a host installed
// with `install.sh --with postgres,redis`: a Node app using `pg` and `redis` from npm is pushed, postgres:create
// and redis:create wire it and redeploy (its release command migrates), and the counts it stores survive
// redeploys, restart, a host crash with piku-boot, and backup -> destroy --data -> restore; a second app cannot
// reach the first one's database; export and import round-trip; bad input to every verb changes nothing.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import t from 'tap'
import { adminEnv, commitFiles, httpGet, makeApp, push, repoRoot, run, setupHost, ssh, toolkitDir, type TestHost } from '../fixtures/host.js'

const user = 'phdb'
const ports = { sshPort: 22450, httpPort: 28250, httpsPort: 28650 }
const app = 'counter'
const other = 'other'
const copy = 'counter2'

const pkg = (name: string) =>
  JSON.stringify({ name, version: '1.0.0', private: true, dependencies: { pg: '^8.11.0', redis: '^4.6.0' } }, null, 2) + '\n'

// the app: GET / answers (health), /hit counts one visit in both stores, /count reads both
const server = (tag: string) => `const http = require('node:http')
const { Pool } = require('pg')
const { createClient } = require('redis')
const pool = process.env.DATABASE_URL ? new Pool({ connectionString: process.env.DATABASE_URL, max: 2 }) : null
let redis
async function store() {
  if (!process.env.REDIS_URL) return null
  if (!redis) {
    redis = createClient({ url: process.env.REDIS_URL })
    redis.on('error', () => {})
    await redis.connect()
  }
  return redis
}
async function counts(hit) {
  const out = { tag: ${JSON.stringify(tag)} }
  if (pool) {
    if (hit) await pool.query('INSERT INTO hits DEFAULT VALUES')
    out.pg = Number((await pool.query('SELECT count(*) AS n FROM hits')).rows[0].n)
  }
  const r = await store()
  if (r) out.redis = Number(hit ? await r.incr('hits') : (await r.get('hits')) ?? 0)
  return out
}
http.createServer((req, res) => {
  if (req.url === '/') return res.end('ok ${tag}')
  counts(req.url === '/hit').then(
    (c) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(c)) },
    (e) => { res.statusCode = 503; res.end(String(e && e.message)) },
  )
}).listen(Number(process.env.PORT), '127.0.0.1')
`
// the release command: the migration that needs DATABASE_URL (none yet: nothing to do)
const migrate = `const { Client } = require('pg')
if (!process.env.DATABASE_URL) { console.log('no database yet'); process.exit(0) }
const c = new Client({ connectionString: process.env.DATABASE_URL })
c.connect().then(() => c.query('CREATE TABLE IF NOT EXISTS hits (id serial PRIMARY KEY, at timestamptz DEFAULT now())')).then(() => { console.log('migrated'); return c.end() }, (e) => { console.error(e.message); process.exit(1) })
`
const procfile = 'web: node server.js\nrelease: node migrate.js\n'
const files = (name: string, tag: string) => ({
  'package.json': pkg(name),
  'server.js': server(tag),
  'migrate.js': migrate,
  Procfile: procfile,
  ENV: `NGINX_SERVER_NAME=${name}.db.test\n`,
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Run SQL as PostgreSQL's superuser (the test's own checks and clean-up, never the product's). */
function superSql(sql: string, database = 'postgres') {
  return run('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql])
}

/** Drop every database and role of the test user (a run before this one may have left them). */
async function dropUserDatabases(): Promise<void> {
  const dbs = await superSql(`SELECT datname FROM pg_database WHERE datname LIKE '${user}.%'`)
  for (const db of dbs.stdout.split('\n').filter(Boolean)) await superSql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`)
  const roles = await superSql(`SELECT rolname FROM pg_roles WHERE rolname LIKE '${user}.%' OR rolname IN ('${user}', '${user}~apps')`)
  for (const role of roles.stdout.split('\n').filter(Boolean)) await superSql(`DROP ROLE IF EXISTS "${role}"`)
}

/** GET `path` until it answers 200 with JSON (the app's stores may still be starting); the parsed body. */
async function counts(host: TestHost, name: string, path = '/count', timeoutMs = 60_000): Promise<{ tag: string; pg?: number; redis?: number }> {
  let last = ''
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(500)) {
    const r = await httpGet(host, `${name}.db.test`, path).catch((e: Error) => ({ status: 0, body: e.message }))
    if (r.status === 200) return JSON.parse(r.body)
    last = `${r.status} ${r.body.slice(0, 200)}`
  }
  throw new Error(`${name}${path} never answered 200 with counts: ${last}`)
}

function env(host: TestHost, name: string): string {
  const f = join(host.home, 'config', name, 'ENV')
  return existsSync(f) ? readFileSync(f, 'utf8') : ''
}

/** ssh with stdin from a file and/or stdout to a file (binary dumps and archives). */
function sshFile(host: TestHost, args: string[], io: { stdin?: string; stdout?: string }) {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const cmd = `${host.gitSshCommand} ${user}@127.0.0.1 ${args.map(q).join(' ')}${io.stdin ? ` < ${q(io.stdin)}` : ''}${io.stdout ? ` > ${q(io.stdout)}` : ''}`
  return run('sh', ['-c', cmd])
}

/** An interactive session over `ssh -tt`: each reply is typed once the output so far matches its prompt (a
 *  terminal program flushes what was typed before it started reading). */
function converse(host: TestHost, args: string[], steps: [RegExp, string][], timeoutMs = 60_000): Promise<{ code: number; output: string }> {
  const [cmd, ...sshArgs] = host.gitSshCommand.split(' ')
  return new Promise((resolve) => {
    const child = spawn(cmd, [...sshArgs, '-tt', `${user}@127.0.0.1`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let step = 0
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    const onData = (d: Buffer) => {
      output += d.toString()
      if (step < steps.length && steps[step][0].test(output)) child.stdin.write(steps[step++][1])
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, output })
    })
  })
}

/** Every process of the test user (the emperor, the apps, their Redis), killed with SIGKILL by pid. */
function killUserProcesses(uid: number): number[] {
  const killed: number[] = []
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (statSync(`/proc/${p}`).uid !== uid) continue
      process.kill(Number(p), 'SIGKILL')
      killed.push(Number(p))
    } catch {}
  }
  return killed
}

/** Wait until none of `pids` is left (not even unreaped: a zombie still holds its pid, and PostgreSQL's lock
 *  file check would take it for a live postmaster). */
async function waitGone(pids: number[], timeoutMs = 20_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
    if (pids.every((p) => !existsSync(`/proc/${p}`))) return
  }
  throw new Error(`processes ${pids.filter((p) => existsSync(`/proc/${p}`)).join(' ')} are still there`)
}

/** Every process of the PostgreSQL cluster (postmaster and backends), killed with SIGKILL: a power cut. */
function killPostgres(): number[] {
  const pidFile = '/var/lib/postgresql/15/main/postmaster.pid'
  if (!existsSync(pidFile)) return []
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  const killed: number[] = []
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1])
      if (Number(p) === postmaster || ppid === postmaster) {
        process.kill(Number(p), 'SIGKILL')
        killed.push(Number(p))
      }
    } catch {}
  }
  return killed
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd, PostgreSQL and change nginx')
} else {
  let host: TestHost
  let dir: string
  let otherDir: string
  let expected = { pg: 0, redis: 0 }
  t.before(async () => {
    await dropUserDatabases()
    host = await setupHost(t, { user, ...ports, with: ['postgres', 'redis'] })
    t.teardown(dropUserDatabases)
    dir = makeApp(t, files(app, 'one'))
    otherDir = makeApp(t, files(other, 'other'))
  })

  t.test('install: --with postgres,redis starts the cluster, sized for the host, loopback only, a role for the user', async (t) => {
    t.match(host.install.stdout + host.install.stderr, /PostgreSQL 15\/main on 127\.0\.0\.1:5432: shared_buffers \d+MB, max_connections \d+/)
    const clusters = await run('pg_lsclusters', ['--no-header'])
    t.match(clusters.stdout, /^15\s+main\s+5432\s+online/m, 'the cluster runs: started by install.sh, not by the test')
    const listen = await superSql('SHOW listen_addresses')
    t.equal(listen.stdout.trim(), '127.0.0.1')
    const role = await superSql(`SELECT rolcreaterole, rolcreatedb, rolsuper FROM pg_roles WHERE rolname = '${user}'`)
    t.equal(role.stdout.trim(), 't|t|f', 'CREATEROLE CREATEDB, no superuser')
    // the piku role over TCP is refused by pg_hba, whatever the password
    const tcp = await run('runuser', ['-u', user, '--', 'psql', '-X', '-w', '-h', '127.0.0.1', '-d', 'postgres', '-c', 'SELECT 1'])
    t.not(tcp.code, 0)
    t.match(tcp.stderr, /pg_hba\.conf rejects connection/)
    // a second install with the same extras changes nothing and keeps everything
    const again = await run('bash', ['./install.sh', '--user', user, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`, '--listen', '127.0.0.1', '--toolkit', toolkitDir, '--no-build', '--with', 'postgres,redis'], {
      cwd: repoRoot,
      env: adminEnv(),
    })
    t.equal(again.code, 0, again.stderr)
    t.notMatch(again.stdout, /restarted/, 'same sizing: no restart')
  })

  t.test('postgres:create and redis:create: a Node app with pg and redis from npm is wired and redeployed', async (t) => {
    const first = await push(host, dir, app)
    t.equal(first.code, 0, first.stderr)
    t.match(first.stderr, /no database yet/, 'the release command ran without a database')
    const pg = await ssh(host, ['postgres:create', app])
    t.equal(pg.code, 0, pg.stderr)
    t.match(pg.stderr, /created the database phdb\.counter and its role/)
    t.match(pg.stderr, /migrated/, 'the redeploy ran the release command with DATABASE_URL')
    const e = env(host, app)
    t.match(e, /^DATABASE_URL=postgres:\/\/phdb\.counter:[0-9a-f]{48}@127\.0\.0\.1:5432\/phdb\.counter$/m)
    for (const k of ['PGHOST=127.0.0.1', 'PGPORT=5432', 'PGDATABASE=phdb.counter', 'PGUSER=phdb.counter']) t.match(e, new RegExp(`^${k.replace(/\./g, '\\.')}$`, 'm'))
    const connect = await superSql(`SELECT has_database_privilege('${user}~apps', 'phdb.counter', 'CONNECT')`)
    t.equal(connect.stdout.trim(), 'f', 'CONNECT is revoked from everyone else')

    const rd = await ssh(host, ['redis:create', app])
    t.equal(rd.code, 0, rd.stderr)
    t.match(env(host, app), /^REDIS_URL=redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+\/0$/m)
    const conf = readFileSync(join(host.home, 'data', app, 'redis', 'redis.conf'), 'utf8')
    t.match(conf, /^appendonly yes$/m)
    t.match(conf, /^appendfsync everysec$/m)
    t.match(conf, /^bind 127\.0\.0\.1$/m)

    for (let i = 0; i < 3; i++) await counts(host, app, '/hit')
    const c = await counts(host, app)
    t.same({ pg: c.pg, redis: c.redis }, { pg: 3, redis: 3 })
    expected = { pg: 3, redis: 3 }

    const ps = await ssh(host, ['ps', app])
    t.equal(ps.code, 0, ps.stderr)
    t.match(ps.stdout, /redis/, 'ps shows the Redis instance')
    const info = await ssh(host, ['postgres:info', app, '--json'])
    t.equal(info.code, 0, info.stderr)
    const i = JSON.parse(info.stdout)
    t.equal(i.database, 'phdb.counter')
    t.equal(i.role, 'phdb.counter')
    t.ok(i.bytes > 0)
    t.ok(i.connections >= 1, 'the app holds a connection')
    t.notMatch(info.stdout, /[0-9a-f]{48}/, 'no password')
    const rinfo = await ssh(host, ['redis:info', app])
    t.equal(rinfo.code, 0, rinfo.stderr)
    t.match(rinfo.stdout, /running: yes/)
    t.match(rinfo.stdout, /keys:\s+1/)
    t.notMatch(rinfo.stdout, /[0-9a-f]{48}/, 'no password')
    const audit = readFileSync(join(host.home, 'logs', '.audit.log'), 'utf8')
    t.match(audit, /"action":"postgres:create","app":"counter"/, "in the audit log")
    t.match(audit, /"action":"redis:create","app":"counter"/)
    const doctor = await ssh(host, ['doctor'])
    t.match(doctor.stdout, /^ok\s+PostgreSQL: 15\.\d+/m, doctor.stdout)
    t.match(doctor.stdout, /^ok\s+counter database: phdb\.counter \(.*\) takes the app's own login/m)
    t.match(doctor.stdout, /^ok\s+counter redis: answers on 127\.0\.0\.1:\d+/m)
  })

  t.test('postgres:connect and redis:connect: SQL and commands on stdin, as the app', async (t) => {
    const q = await ssh(host, ['postgres:connect', app], { input: 'SELECT count(*) AS n, current_user FROM hits;\n' })
    t.equal(q.code, 0, q.stderr)
    t.match(q.stdout, /\b3 \| phdb\.counter\b/)
    const bad = await ssh(host, ['postgres:connect', app], { input: 'SELECT nope;\n' })
    t.not(bad.code, 0, "psql's failure is the verb's exit status")
    const tty = await converse(host, ['postgres:connect', app], [
      [/phdb\.counter=> $/, '\\pset pager off\n'],
      [/Pager usage is off\.[\s\S]*=> $/, 'SELECT 40 + 2 AS answer;\n'],
      [/\b42\b[\s\S]*=> $/, '\\q\n'],
    ])
    t.equal(tty.code, 0, tty.output)
    t.match(tty.output, /\(1 row\)/, 'ssh -t: an interactive psql, prompt, answer and all')
    const r = await ssh(host, ['redis:connect', app], { input: 'GET hits\n' })
    t.equal(r.code, 0, r.stderr)
    t.match(r.stdout, /^"?3"?$/m)
  })

  t.test('lifecycle: counts survive a redeploy, restart and a host crash with piku-boot', async (t) => {
    commitFiles(dir, { 'server.js': server('two') }, 'two')
    const p = await push(host, dir, app)
    t.equal(p.code, 0, p.stderr)
    let c = await counts(host, app)
    t.equal(c.tag, 'two')
    t.same({ pg: c.pg, redis: c.redis }, expected, 'after a redeploy')
    await counts(host, app, '/hit')
    expected = { pg: expected.pg + 1, redis: expected.redis + 1 }

    const rs = await ssh(host, ['restart', app])
    t.equal(rs.code, 0, rs.stderr)
    c = await counts(host, app)
    t.same({ pg: c.pg, redis: c.redis }, expected, 'after restart')
    await counts(host, app, '/hit')
    expected = { pg: expected.pg + 1, redis: expected.redis + 1 }

    // a crash: everything of the user and the database server killed at once, then piku-boot as at boot
    await sleep(1500) // appendfsync everysec: at most the last second of writes may be lost
    const uid = statSync(host.home).uid
    const users = killUserProcesses(uid)
    const pg = killPostgres()
    t.ok(users.length > 0, 'the emperor, the app and its Redis killed')
    t.ok(pg.length > 0, 'PostgreSQL killed too')
    await waitGone([...users, ...pg])
    const boot = await run(join(toolkitDir, 'bin', 'piku-boot'), [user])
    t.equal(boot.code, 0, boot.stderr)
    const clusters = await run('pg_lsclusters', ['--no-header'])
    t.match(clusters.stdout, /^15\s+main\s+5432\s+online/m, 'piku-boot started PostgreSQL')
    c = await counts(host, app)
    t.same({ pg: c.pg, redis: c.redis }, expected, 'after a crash and piku-boot')
  })

  t.test('isolation: a second app reaches its own database, not the first one\'s', async (t) => {
    const p = await push(host, otherDir, other)
    t.equal(p.code, 0, p.stderr)
    const pg = await ssh(host, ['postgres:create', other])
    t.equal(pg.code, 0, pg.stderr)
    const c = await counts(host, other, '/hit')
    t.equal(c.pg, 1, 'its own table, its own count')
    // from inside the other app (`run`, its environment): its own credentials, the first app's database
    const own = await ssh(host, ['run', other, '--', "psql -X -w -At -c 'SELECT current_database()'"])
    t.equal(own.code, 0, own.stderr)
    t.equal(own.stdout.trim(), 'phdb.other')
    const theirs = await ssh(host, ['run', other, '--', "env PGDATABASE=phdb.counter psql -X -w -c 'SELECT count(*) FROM hits'"])
    t.not(theirs.code, 0)
    t.match(theirs.stderr, /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "phdb\.other", database "phdb\.counter"/)
    const none = await ssh(host, ['run', other, '--', "env -u PGPASSWORD PGUSER=phdb.counter PGDATABASE=phdb.counter psql -X -w -c 'SELECT 1'"])
    t.not(none.code, 0)
    t.match(none.stderr, /password|pg_hba/)
    const piku = await ssh(host, ['run', other, '--', `env -u PGPASSWORD PGUSER=${user} PGDATABASE=postgres psql -X -w -c 'SELECT 1'`])
    t.not(piku.code, 0, 'the piku role is not reachable over TCP from an app')
    t.match(piku.stderr, /pg_hba\.conf rejects connection/)
    // nor over the local socket: the sandbox (issue 22) keeps /run/postgresql out of every app
    const sandboxed = existsSync(join(repoRoot, 'lib', 'host', 'sandbox.ts'))
    const socket = await ssh(host, ['run', other, '--', `env -u PGPASSWORD PGHOST=/var/run/postgresql PGUSER=${user} PGDATABASE=postgres psql -X -w -c 'SELECT 1'`])
    t.not(socket.code, 0, 'the piku role is not reachable over the local socket from an app', sandboxed ? {} : { todo: 'the app sandbox (issue 22) is not in this tree yet' })
  })

  t.test('postgres:export and postgres:import round-trip; a file that is no dump changes nothing', async (t) => {
    const dump = join(tmpdir(), `phdb-${process.pid}.dump`)
    t.teardown(() => run('rm', ['-f', dump, `${dump}.junk`]))
    const ex = await sshFile(host, ['postgres:export', app], { stdout: dump })
    t.equal(ex.code, 0, ex.stderr)
    t.equal(readFileSync(dump).subarray(0, 5).toString(), 'PGDMP')
    const before = (await counts(host, app)).pg
    await counts(host, app, '/hit')
    t.equal((await counts(host, app)).pg, (before ?? 0) + 1)
    writeFileSync(`${dump}.junk`, 'DROP TABLE hits;\n')
    const junk = await sshFile(host, ['postgres:import', app], { stdin: `${dump}.junk` })
    t.not(junk.code, 0)
    t.equal(junk.stderr.trim().split('\n').length, 1, junk.stderr)
    t.match(junk.stderr, /not a PostgreSQL custom-format dump/)
    t.equal((await counts(host, app)).pg, (before ?? 0) + 1, 'nothing changed')
    const im = await sshFile(host, ['postgres:import', app], { stdin: dump })
    t.equal(im.code, 0, im.stderr)
    t.equal((await counts(host, app)).pg, before, "the dump's contents replace the database's")
    const owner = await superSql(`SELECT tableowner FROM pg_tables WHERE tablename = 'hits'`, 'phdb.counter')
    t.match(owner.stdout, /phdb\.counter/, "imported tables belong to the app's role")
    expected = { pg: before ?? 0, redis: expected.redis + 1 } // the import is PostgreSQL's alone: Redis kept the hit
  })

  t.test('lifecycle: backup -> destroy --data -> restore brings the database and the Redis data back, under a new name too', async (t) => {
    const archive = join(tmpdir(), `phdb-${process.pid}.tar.gz`)
    t.teardown(() => run('rm', ['-f', archive]))
    await sleep(1500) // the last Redis write on disk
    const b = await sshFile(host, ['backup', app], { stdout: archive })
    t.equal(b.code, 0, b.stderr)
    const list = await run('tar', ['-tzf', archive])
    t.match(list.stdout, /^postgres\.dump$/m)
    t.match(list.stdout, /^data\/counter\/redis\/appendonlydir\//m)
    t.match(list.stdout, /^config\/counter\/redis\.json$/m)

    const keep = await ssh(host, ['destroy', other])
    t.equal(keep.code, 0, keep.stderr)
    t.match(keep.stderr, /kept the database phdb\.other/)
    t.equal((await superSql(`SELECT count(*) FROM pg_database WHERE datname = 'phdb.other'`)).stdout.trim(), '1', 'destroy without --data keeps it')

    const d = await ssh(host, ['destroy', app, '--data'])
    t.equal(d.code, 0, d.stderr)
    t.equal((await superSql(`SELECT count(*) FROM pg_database WHERE datname = 'phdb.counter'`)).stdout.trim(), '0', 'destroy --data drops it')
    t.notOk(existsSync(join(host.home, 'data', app)))

    const r = await sshFile(host, ['restore', app], { stdin: archive })
    t.equal(r.code, 0, r.stderr)
    const c = await counts(host, app)
    t.same({ pg: c.pg, redis: c.redis }, expected, 'restored counts')

    const r2 = await sshFile(host, ['restore', copy], { stdin: archive })
    t.equal(r2.code, 0, r2.stderr)
    t.match(env(host, copy), /^DATABASE_URL=postgres:\/\/phdb\.counter2:/m, 'its own database')
    const named = await ssh(host, ['config:set', copy, `NGINX_SERVER_NAME=${copy}.db.test`]) // the copy's own name
    t.equal(named.code, 0, named.stderr)
    const c2 = await counts(host, copy)
    t.same({ pg: c2.pg, redis: c2.redis }, expected, 'the copy starts with the same counts')
    await counts(host, copy, '/hit')
    const c1 = await counts(host, app)
    t.same({ pg: c1.pg, redis: c1.redis }, expected, 'and goes its own way: the original is untouched')
    t.not(env(host, copy).match(/REDIS_URL=.*:(\d+)\/0/)?.[1], env(host, app).match(/REDIS_URL=.*:(\d+)\/0/)?.[1], 'a Redis port of its own')
  })

  t.test('bad input to every verb: one line naming it, a non-zero exit, nothing changed', async (t) => {
    const before = env(host, app)
    const cases: [string[], RegExp][] = [
      [['postgres:create', app, 'extra'], /unexpected argument "extra"/],
      [['postgres:create', app], /DATABASE_URL is set already/],
      [['postgres:create', 'nope'], /nope/],
      [['postgres:create', '../x'], /app name/],
      [['postgres:info', app, '--bad'], /unexpected argument "--bad"/],
      [['postgres:info', 'nope'], /nope/],
      [['postgres:connect', app, 'x'], /unexpected argument "x"/],
      [['postgres:export', app, 'x'], /unexpected argument "x"/],
      [['postgres:import', app, 'x'], /unexpected argument "x"/],
      [['postgres:import', app], /not a PostgreSQL custom-format dump/],
      [['postgres:destroy', app], /--force/],
      [['postgres:destroy', app, '--forc'], /unexpected argument "--forc"/],
      [['redis:create', app], /has a Redis already/],
      [['redis:create', app, 'x'], /unexpected argument "x"/],
      [['redis:info', app, 'x'], /unexpected argument "x"/],
      [['redis:connect', app, 'x'], /unexpected argument "x"/],
      [['redis:destroy', app], /--force/],
      [['redis:destroy', 'nope', '--force'], /nope/],
    ]
    for (const [args, msg] of cases) {
      const r = await ssh(host, args, { input: '' })
      t.not(r.code, 0, args.join(' '))
      t.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line: ${r.stderr}`)
      t.match(r.stderr, msg, args.join(' '))
    }
    t.equal(env(host, app), before, 'the config is as it was')
    const c = await counts(host, app)
    t.same({ pg: c.pg, redis: c.redis }, expected, 'the data is as it was')
  })

  t.test('postgres:destroy and redis:destroy: variables unset, redeployed, database and data gone', async (t) => {
    const rd = await ssh(host, ['redis:destroy', copy, '--force'])
    t.equal(rd.code, 0, rd.stderr)
    t.notMatch(env(host, copy), /REDIS_URL/)
    t.notOk(existsSync(join(host.home, 'data', copy, 'redis')))
    const pd = await ssh(host, ['postgres:destroy', copy, '--force'])
    t.equal(pd.code, 0, pd.stderr)
    t.notMatch(env(host, copy), /DATABASE_URL|PGPASSWORD/)
    t.equal((await superSql(`SELECT count(*) FROM pg_roles WHERE rolname = 'phdb.counter2'`)).stdout.trim(), '0')
    const c = await counts(host, copy, '/')
      .catch(() => undefined)
    t.equal(c, undefined, '/ is not JSON: the app runs without its stores')
    const res = await httpGet(host, `${copy}.db.test`, '/')
    t.equal(res.status, 200, 'and still serves')
  })
}
