// e2e site-nginx: the nginx half of issue 13 through real ssh, git push and nginx: piku's documented
// NGINX_INCLUDE_FILE (its directives win over ours, $VARS expanded, errors named nginx.conf:LINE), the body
// size, proxy timeouts and HSTS knobs, NGINX_CACHE_REDIRECTS/ANY/PATH, maintenance mode and basic auth, each
// kept across deploys (maintenance also across restart and re-install).
import t from 'tap'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, chownSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { setupHost, ssh, makeApp, push, commitFiles, run, repoRoot, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const USER = 'phsite'
const host = await setupHost(t, { user: USER, sshPort: 22321, httpPort: 28121, httpsPort: 28521 })

const server = [
  "const http = require('http')",
  'http.createServer((req, res) => {',
  '  let n = 0',
  "  req.on('data', (d) => (n += d.length))",
  "  req.on('end', () => {",
  "    if (req.url === '/slow') return setTimeout(() => res.end('slow\\n'), 4000)",
  "    if (req.url === '/api/moved') { res.statusCode = 301; res.setHeader('location', '/api/there'); return res.end(`moved ${Date.now()}\\n`) }",
  "    if (req.url === '/api/missing') { res.statusCode = 404; return res.end(`missing ${Date.now()}\\n`) }",
  "    if (req.url === '/api/broken') { res.statusCode = 500; return res.end(`broken ${Date.now()}\\n`) }",
  "    res.setHeader('content-type', 'text/plain')",
  '    res.end(`app ${process.env.APP} ${req.method} ${req.url} got ${n}\\n`)',
  '  })',
  '}).listen(process.env.PORT, process.env.BIND_ADDRESS)',
  '',
].join('\n')

function send(h: TestHost, name: string, opts: { method?: string; path?: string; body?: Buffer; auth?: string; tls?: boolean } = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, failed) => {
    const headers: Record<string, string> = { Host: name }
    if (opts.body) headers['content-length'] = String(opts.body.length)
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`
    const base = { host: '127.0.0.1', path: opts.path ?? '/', method: opts.method ?? 'GET', headers, timeout: 15_000, agent: false }
    const cb = (res: import('node:http').IncomingMessage) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }))
    }
    const req = opts.tls ? httpsRequest({ ...base, port: h.httpsPort, servername: name, rejectUnauthorized: false }, cb) : httpRequest({ ...base, port: h.httpPort }, cb)
    req.on('timeout', () => req.destroy(new Error('no answer')))
    // nginx answers 413 before reading the body and may close while we still send: that is an answer too
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? done({ status: -1, body: String(e), headers: {} }) : failed(e)))
    req.end(opts.body)
  })
}

/** Poll until `check` holds for an answer (nginx's old workers may answer for a moment after a reload). */
async function until(h: TestHost, name: string, check: (r: { status: number; body: string }) => boolean, opts: Parameters<typeof send>[2] = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  let last = await send(h, name, opts)
  for (let i = 0; i < 50 && !check(last); i++) {
    await new Promise((r) => setTimeout(r, 100))
    last = await send(h, name, opts)
  }
  return last
}

const SITE = 'site.phsite.test'
const includeText = ['# piku documents NGINX_INCLUDE_FILE with a one-line nginx.conf', 'client_max_body_size 8M;', 'add_header X-Greeting $GREETING;', 'add_header X-Host-Seen ${host};', ''].join('\n')
const app = makeApp(t, {
  'server.js': server,
  Procfile: 'web: node server.js\n',
  ENV: [`NGINX_SERVER_NAME=${SITE}`, 'NGINX_INCLUDE_FILE=nginx.conf', 'GREETING=hello-from-env', ''].join('\n'),
  'nginx.conf': includeText,
})

t.test('site-nginx: piku\'s include file (client_max_body_size 8M, $VARS) deploys and a 10 MB body gets 413', async (t) => {
  const r = await push(host, app, 'site')
  t.equal(r.code, 0, r.stderr)
  const big = await send(host, SITE, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024, 97) })
  t.ok(big.status === 413 || big.status === -1, `10 MB refused (${big.status})`)
  if (big.status !== -1) t.match(big.body, /413 Request Entity Too Large/)
  const ok = await send(host, SITE, { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024, 97) })
  t.equal(ok.status, 200, 'our default would allow 100m; 5 MB is under the include\'s 8M')
  t.equal(ok.body, `app site POST / got ${5 * 1024 * 1024}\n`)
  t.equal(ok.headers['x-greeting'], 'hello-from-env', '$GREETING expanded from the app env')
  t.equal(ok.headers['x-host-seen'], SITE, '${host} is nginx\'s own and stays')
  const conf = readFileSync(`${host.home}/nginx/site.conf`, 'utf8')
  t.notMatch(conf, 'client_max_body_size 100m', 'our default gave way')
  t.equal(conf.split('client_max_body_size').length - 1, 1)
  t.equal(statSync(`${host.home}/nginx/site.conf`).mode & 0o077, 0, 'the file holds expanded values: private to the user (nginx\'s master is root)')
  t.not(spawnSync('setpriv', ['--reuid=www-data', '--regid=www-data', '--clear-groups', 'cat', `${host.home}/nginx/site.conf`]).status, 0, 'www-data cannot read it')
})

t.test('site-nginx: a value that would leave its line is refused naming the key; nginx errors name nginx.conf:LINE', async (t) => {
  const bad = await ssh(host, ['config:set', 'site', 'GREETING=x}y'])
  t.not(bad.code, 0)
  t.match(bad.stderr, 'nginx.conf:3: $GREETING is not expanded: the value of GREETING holds "}"')
  t.match(bad.stderr, /nothing changed/)
  commitFiles(app, { 'nginx.conf': includeText + 'no_such_directive on;\n' }, 'broken include')
  const r = await push(host, app, 'site')
  t.not(r.code, 0, 'the push is refused')
  t.match(r.stderr, /unknown directive "no_such_directive" in nginx\.conf:5 \(NGINX_INCLUDE_FILE\)/)
  const still = await send(host, SITE)
  t.equal(still.status, 200, 'the running release keeps serving')
  t.equal(still.headers['x-greeting'], 'hello-from-env')
  commitFiles(app, { 'nginx.conf': includeText }, 'include fixed')
  t.equal((await push(host, app, 'site')).code, 0)
})

const KNOBS = 'knobs.phsite.test'
const knobs = makeApp(t, {
  'server.js': server,
  Procfile: 'web: node server.js\n',
  ENV: [
    `NGINX_SERVER_NAME=${KNOBS}`,
    'NGINX_CLIENT_MAX_BODY_SIZE=1k',
    'NGINX_PROXY_READ_TIMEOUT=2s',
    'NGINX_HSTS=1',
    'NGINX_HSTS_MAX_AGE=600',
    'NGINX_CACHE_PREFIXES=/api',
    'NGINX_CACHE_REDIRECTS=60',
    'NGINX_CACHE_ANY=60',
    `NGINX_CACHE_PATH=/home/${USER}/cache/knobs/big`,
    '',
  ].join('\n'),
})

t.test('site-nginx: body size, read timeout and HSTS knobs without an include file', async (t) => {
  const r = await push(host, knobs, 'knobs')
  t.equal(r.code, 0, r.stderr)
  const big = await send(host, KNOBS, { method: 'POST', body: Buffer.alloc(2048, 97) })
  t.ok(big.status === 413 || big.status === -1, `2 KB over NGINX_CLIENT_MAX_BODY_SIZE=1k (${big.status})`)
  t.equal((await send(host, KNOBS, { method: 'POST', body: Buffer.alloc(512, 97) })).status, 200)
  const slow = await send(host, KNOBS, { path: '/slow' })
  t.equal(slow.status, 504, 'an answer slower than NGINX_PROXY_READ_TIMEOUT=2s')
  const tls = await send(host, KNOBS, { tls: true })
  t.equal(tls.status, 200)
  t.equal(tls.headers['strict-transport-security'], 'max-age=600', 'HSTS on HTTPS')
  t.equal((await send(host, KNOBS)).headers['strict-transport-security'], undefined, 'never on plain HTTP')
  const refused = await ssh(host, ['config:set', 'knobs', 'NGINX_CLIENT_MAX_BODY_SIZE=10MB', 'NGINX_HSTS=sure'])
  t.not(refused.code, 0)
  t.match(refused.stderr, 'NGINX_CLIENT_MAX_BODY_SIZE="10MB": expected a size such as 100m, 512k or 1g')
  t.match(refused.stderr, 'NGINX_HSTS="sure": expected true or false')
})

t.test('site-nginx: NGINX_CACHE_REDIRECTS, NGINX_CACHE_ANY and NGINX_CACHE_PATH as piku renders them', async (t) => {
  for (const path of ['/api/moved', '/api/missing']) {
    const first = await send(host, KNOBS, { path })
    const second = await send(host, KNOBS, { path })
    t.equal(second.headers['x-cache'], 'HIT', `${path} (${first.status}) cached`)
    t.equal(second.body, first.body)
  }
  const e1 = await send(host, KNOBS, { path: '/api/broken' })
  const e2 = await send(host, KNOBS, { path: '/api/broken' })
  t.equal(e1.status, 500)
  t.not(e2.headers['x-cache'], 'HIT', 'errors are never cached')
  const dir = `${host.home}/cache/knobs/big`
  t.ok(existsSync(dir) && readdirSync(dir).length > 0, 'nginx wrote into NGINX_CACHE_PATH')
  const outside = await ssh(host, ['config:set', 'knobs', 'NGINX_CACHE_PATH=/tmp/phsite-cache'])
  t.not(outside.code, 0)
  t.match(outside.stderr, `NGINX_CACHE_PATH="/tmp/phsite-cache": must be a folder inside /home/${USER}`)
  const mine = await ssh(host, ['config:set', 'knobs', `NGINX_CACHE_PATH=/home/${USER}/config`])
  t.match(mine.stderr, /belongs to piku-hooks/)
})

/** A file in the host's ACME webroot, as the certificate client would leave it. */
function challenge(h: TestHost, token: string): void {
  const file = `${h.home}/acme/${token}`
  writeFileSync(file, `${token}.key\n`, { mode: 0o644 })
  const st = statSync(`${h.home}/acme`)
  chownSync(file, st.uid, st.gid)
}

t.test('site-nginx: maintenance:on answers 503 everywhere but the ACME challenge, kept across a push, restart and re-install', async (t) => {
  const on = await ssh(host, ['maintenance:on', 'site'])
  t.equal(on.code, 0, on.stderr)
  t.match(on.stderr, /site is in maintenance mode/)
  const down = await send(host, SITE, { path: '/anything?x=1' })
  t.equal(down.status, 503)
  t.match(down.body, /Down for maintenance/)
  t.equal(down.headers['retry-after'], '120')
  t.equal((await send(host, SITE, { method: 'POST', body: Buffer.from('x') })).status, 503, 'POST too')
  t.equal((await send(host, SITE, { tls: true })).status, 503, 'HTTPS too')
  challenge(host, 'maint-token')
  const acme = await send(host, SITE, { path: '/.well-known/acme-challenge/maint-token' })
  t.equal(acme.status, 200, 'the ACME challenge stays open')
  t.equal(acme.body, 'maint-token.key\n')
  const apps = await ssh(host, ['apps'])
  t.match(apps.stdout, /^\* site {2}\(v\d+\) {2}maintenance$/m)
  const json = JSON.parse((await ssh(host, ['apps', '--json'])).stdout) as { apps: { name: string; maintenance: boolean }[] }
  t.same(json.apps.map((a) => [a.name, a.maintenance]), [['knobs', false], ['site', true]])
  const ps = await ssh(host, ['ps', 'site'])
  t.match(ps.stdout, /site is in maintenance mode since \d{4}-/)
  t.match(JSON.parse((await ssh(host, ['ps', 'site', '--json'])).stdout), { maintenance: /^\d{4}-/ })
  t.equal((await send(host, KNOBS)).status, 200, 'other apps are not touched')
  t.match((await ssh(host, ['doctor'])).stdout, /app site: .*in maintenance mode since/, 'doctor reminds')

  // the app's own page, from its next push
  commitFiles(app, { 'maintenance.html': '<h1>site is being upgraded</h1>\n' }, 'own maintenance page')
  const r = await push(host, app, 'site')
  t.equal(r.code, 0, r.stderr)
  const own = await until(host, SITE, (x) => x.body.includes('being upgraded'))
  t.equal(own.status, 503, 'still in maintenance after a push')
  t.equal(own.body, '<h1>site is being upgraded</h1>\n')
  t.equal((await ssh(host, ['restart', 'site'])).code, 0)
  t.equal((await send(host, SITE)).status, 503, 'after a restart')
  const again = await run('bash', ['./install.sh', '--user', USER, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`, '--listen', '127.0.0.1', '--key', `${host.keyFile}.pub`, '--toolkit', process.env.PIKU_E2E_TOOLKIT || '/usr/local/lib/piku-hooks', '--no-build'], { cwd: repoRoot })
  t.equal(again.code, 0, again.stderr)
  t.equal((await send(host, SITE)).status, 503, 'after a re-install')

  const off = await ssh(host, ['maintenance:off', 'site'])
  t.equal(off.code, 0, off.stderr)
  const back = await until(host, SITE, (x) => x.status === 200)
  t.equal(back.status, 200)
  t.match(back.body, 'app site GET / got 0')
  t.notMatch((await ssh(host, ['apps'])).stdout, /maintenance/)
  t.equal((await ssh(host, ['maintenance:off', 'site'])).stderr.trim().split('\n').pop(), '-----> site is not in maintenance mode')
})

t.test('site-nginx: auth:add takes the password on stdin only, stores a hash nginx alone can read, kept across a push', async (t) => {
  const asArg = await ssh(host, ['auth:add', 'site', 'alice', 's3cret-pass'])
  t.not(asArg.code, 0, 'a password argument is refused')
  t.match(asArg.stderr, /usage: auth:add APP USER < PASSWORD/)
  t.equal((await ssh(host, ['auth:add', 'site', 'alice'], { input: '' })).code, 1, 'no password: refused')
  const add = await ssh(host, ['auth:add', 'site', 'alice'], { input: 's3cret-pass\n' })
  t.equal(add.code, 0, add.stderr)
  t.match(add.stderr, /added user alice for site; 1 user\(s\) may sign in/)
  t.equal((await until(host, SITE, (x) => x.status === 401)).status, 401, 'no credentials: 401')
  t.equal((await send(host, SITE, { auth: 'alice:wrong' })).status, 401)
  const ok = await send(host, SITE, { auth: 'alice:s3cret-pass' })
  t.equal(ok.status, 200)
  t.match(ok.body, 'app site GET / got 0')
  t.equal((await send(host, SITE, { auth: 'alice:s3cret-pass', tls: true })).status, 200, 'over HTTPS too')
  challenge(host, 'auth-token')
  t.equal((await send(host, SITE, { path: '/.well-known/acme-challenge/auth-token' })).status, 200, 'the ACME challenge needs no password')
  t.equal((await send(host, KNOBS)).status, 200, 'other apps ask for nothing')

  const file = `${host.home}/auth/site.htpasswd`
  const text = readFileSync(file, 'utf8')
  t.match(text, /^alice:\$6\$[^\n]+\n$/, 'a SHA-512 crypt hash, no password')
  t.notMatch(text, 's3cret')
  t.equal(statSync(file).mode & 0o007, 0, 'nothing for other users')
  const asNginx = spawnSync('setpriv', ['--reuid=www-data', '--regid=www-data', '--clear-groups', 'cat', file])
  t.equal(asNginx.status, 0, `nginx's workers read it: ${asNginx.stderr}`)
  // another piku-hooks user: primary group www-data, like every one of them
  const asOther = spawnSync('setpriv', ['--reuid=nobody', '--regid=www-data', '--clear-groups', 'cat', file])
  t.not(asOther.status, 0, 'another member of the www-data group cannot')
  t.notMatch(readFileSync(`${host.home}/logs/.audit.log`, 'utf8'), 's3cret', 'the audit log has no password')

  const bob = await ssh(host, ['auth:add', 'site', 'bob'], { input: 'b0b-pass' })
  t.equal(bob.code, 0, bob.stderr)
  t.equal((await ssh(host, ['auth', 'site'])).stdout, 'alice\nbob\n')
  t.same(JSON.parse((await ssh(host, ['auth', 'site', '--json'])).stdout), { app: 'site', users: ['alice', 'bob'] })

  commitFiles(app, { 'README.md': 'a new commit\n' }, 'another deploy')
  t.equal((await push(host, app, 'site')).code, 0)
  t.equal((await send(host, SITE)).status, 401, 'still asks after a push')
  t.equal((await send(host, SITE, { auth: 'bob:b0b-pass' })).status, 200)

  const rm = await ssh(host, ['auth:remove', 'site', 'alice'])
  t.equal(rm.code, 0, rm.stderr)
  t.equal((await until(host, SITE, (x) => x.status === 401, { auth: 'alice:s3cret-pass' })).status, 401, 'alice is out')
  t.match((await ssh(host, ['auth:remove', 'site', 'carol'])).stderr, /site has no basic-auth user "carol"/)
  t.equal((await ssh(host, ['auth:remove', 'site', 'bob'])).code, 0)
  t.equal((await until(host, SITE, (x) => x.status === 200)).status, 200, 'no user left: open again')
  t.notOk(existsSync(file))
  t.equal((await ssh(host, ['auth', 'site'])).stdout, '')
})

t.test('site-nginx: maintenance and auth verbs are in help and the audit log', async (t) => {
  const help = await ssh(host, ['help'])
  for (const v of ['maintenance:on APP', 'maintenance:off APP', 'auth APP [--json]', 'auth:add APP USER < PASSWORD', 'auth:remove APP USER']) t.match(help.stdout, v)
  const audit = readFileSync(`${host.home}/logs/.audit.log`, 'utf8')
  t.match(audit, /"action":"maintenance:on","app":"site"/)
  t.match(audit, /"action":"auth:add","app":"site","detail":"alice"/)
})

t.test('site-nginx: roles: a deploy key switches maintenance, only admin manages users, a read key neither', async (t) => {
  const dir = t.testdir({})
  const keyFor = async (name: string, role: string): Promise<(args: string[], input?: string) => ReturnType<typeof run>> => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@e2e`, '-f', join(dir, name)])
    const added = await ssh(host, ['keys:add', name, role, 'site'], { input: readFileSync(join(dir, `${name}.pub`), 'utf8') })
    t.equal(added.code, 0, added.stderr)
    const [cmd, ...opts] = host.gitSshCommand.split(' ')
    const other = opts.map((o) => (o === host.keyFile ? join(dir, name) : o))
    return (args, input) => run(cmd, [...other, `${USER}@127.0.0.1`, ...args], { input })
  }
  const ops = await keyFor('ops', 'deploy')
  const eye = await keyFor('eye', 'read')
  t.equal((await ops(['maintenance:on', 'site'])).code, 0, 'deploy: maintenance:on')
  t.equal((await until(host, SITE, (x) => x.status === 503)).status, 503)
  t.match((await eye(['maintenance:off', 'site'])).stderr, /maintenance:off needs role deploy/, 'read: refused')
  t.equal((await ops(['maintenance:off', 'site'])).code, 0, 'deploy: maintenance:off')
  t.equal((await until(host, SITE, (x) => x.status === 200)).status, 200)
  t.match((await ops(['auth:add', 'site', 'mallory'], 'pw')).stderr, /auth:add needs role admin/)
  t.match((await ops(['auth', 'site'])).stderr, /auth needs role admin/)
  t.notOk(existsSync(`${host.home}/auth/site.htpasswd`), 'nothing stored')
  for (const k of ['ops', 'eye']) t.equal((await ssh(host, ['keys:remove', k])).code, 0)
})

t.test('site-nginx: the piku client sends auth:add\'s password on stdin, asking for it at a terminal', async (t) => {
  const env = { ...process.env, PIKU_SSH: host.gitSshCommand, PIKU_SERVER: `${USER}@127.0.0.1`, PIKU_APP: 'site' }
  const client = join(repoRoot, 'bin', 'piku')
  const piped = await run(client, ['auth:add', 'dave'], { input: 'piped-pass\n', env, cwd: t.testdir({}) })
  t.equal(piped.code, 0, piped.stderr)
  // a terminal: `script` gives the client a pty; the prompt is shown and the typed password not echoed
  const cwd = t.testdir({})
  const typed = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = spawn('script', ['-qec', `${client} auth:add erin`, '/dev/null'], { env, cwd })
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (d) => {
      stdout += d
      // type only once the prompt is up (echo is off by then), as a person would
      if (!sent && stdout.includes('password for erin: ')) {
        sent = true
        setTimeout(() => child.stdin.write('typed-pass\n'), 200)
      }
    })
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('close', (code) => (clearTimeout(timer), done({ code: code ?? 1, stdout, stderr })))
  })
  t.equal(typed.code, 0, typed.stdout + typed.stderr)
  t.match(typed.stdout, 'password for erin: ')
  t.notMatch(typed.stdout, 'typed-pass', 'not echoed')
  t.equal((await ssh(host, ['auth', 'site'])).stdout, 'dave\nerin\n')
  t.equal((await until(host, SITE, (x) => x.status === 200, { auth: 'erin:typed-pass' })).status, 200)
  t.equal((await send(host, SITE, { auth: 'dave:piped-pass' })).status, 200)
  for (const u of ['dave', 'erin']) t.equal((await ssh(host, ['auth:remove', 'site', u])).code, 0)
})

t.test('site-nginx: destroy removes the users file', async (t) => {
  t.equal((await ssh(host, ['auth:add', 'knobs', 'x'], { input: 'pw-for-x' })).code, 0)
  t.ok(existsSync(`${host.home}/auth/knobs.htpasswd`))
  t.equal((await ssh(host, ['destroy', 'knobs'])).code, 0)
  t.notOk(existsSync(`${host.home}/auth/knobs.htpasswd`))
})
