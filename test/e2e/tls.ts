// e2e tls: a real ACME CA on loopback (Debian's pebble, with pebble-challtestsrv answering 127.0.0.1 for every
// name) issues a certificate over HTTP-01 through our nginx; HTTPS-only redirects; certs lists it; the daily
// renewal entry leaves a fresh certificate alone; a CA that does not answer never breaks a push.
import t from 'tap'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, push, httpGet, run, toolkitDir } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}
if (!existsSync('/usr/bin/pebble') || !existsSync('/usr/bin/pebble-challtestsrv')) {
  t.plan(0, 'pebble is not installed (apt-get install pebble)')
  process.exit(0)
}

const PEBBLE = 14062
const PEBBLE_MGMT = 15062
const DNS = 18062
const CHALL_MGMT = 18063
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const host = await setupHost(t, { user: 'phtls', sshPort: 22262, httpPort: 28062, httpsPort: 28462 })

// a throwaway CA for pebble's own API certificate, readable by the host user (ACME_CA_BUNDLE)
const dir = mkdtempSync(join(tmpdir(), 'piku-hooks-pebble-'))
chmodSync(dir, 0o755)
const children: ChildProcess[] = []
// stopped by pid at teardown, and on any exit (a crash must not leave a CA running)
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')))
t.teardown(async () => {
  for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGTERM')
  await sleep(200)
  rmSync(dir, { recursive: true, force: true })
})
const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=piku-hooks test CA')
ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'api.key', '-out', 'api.csr', '-subj', '/CN=localhost')
writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
ossl('x509', '-req', '-in', 'api.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'api.pem', '-days', '2', '-extfile', 'ext.cnf')
chmodSync(join(dir, 'ca.pem'), 0o644)
writeFileSync(
  join(dir, 'pebble.json'),
  JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${PEBBLE}`,
      managementListenAddress: `127.0.0.1:${PEBBLE_MGMT}`,
      certificate: join(dir, 'api.pem'),
      privateKey: join(dir, 'api.key'),
      httpPort: host.httpPort, // pebble validates HTTP-01 through our nginx
      tlsPort: host.httpsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }),
)
const start = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let out = ''
  c.stdout!.on('data', (d) => (out += d))
  c.stderr!.on('data', (d) => (out += d))
  children.push(c)
  return () => out
}
start('pebble-challtestsrv', ['-dns01', `127.0.0.1:${DNS}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${CHALL_MGMT}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''])
const pebbleLog = start('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${DNS}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' })

function get(port: number, path: string, opts: { ca?: string; servername?: string } = {}): Promise<{ status: number; body: string; authorized: boolean }> {
  return new Promise((done, failed) => {
    const req = request({ host: '127.0.0.1', port, path, servername: opts.servername, headers: opts.servername ? { Host: opts.servername } : {}, ca: opts.ca, rejectUnauthorized: true, timeout: 10_000, agent: false }, (res) => {
      const authorized = (res.socket as import('node:tls').TLSSocket | null)?.authorized ?? false
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => done({ status: res.statusCode ?? 0, body, authorized }))
    })
    req.on('error', failed)
    req.end()
  })
}

// pebble answers its directory once it is up
const apiCa = execFileSync('cat', [join(dir, 'ca.pem')]).toString()
for (let i = 0; ; i++) {
  const ok = await get(PEBBLE, '/dir', { ca: apiCa }).then((r) => r.status === 200, () => false)
  if (ok) break
  if (i > 100) throw new Error(`pebble did not start:\n${pebbleLog()}`)
  await sleep(100)
}

type Cert = { app: string; kind: string; names: string[]; issuer?: string; notAfter?: string; lastAttempt?: string; lastError?: string }
async function certsOf(app: string): Promise<Cert | undefined> {
  const r = await ssh(host, ['certs', '--json'])
  return (JSON.parse(r.stdout).certs as Cert[]).find((c) => c.app === app)
}
async function waitFor(app: string, until: (c: Cert | undefined) => boolean, ms = 60_000): Promise<Cert | undefined> {
  const end = Date.now() + ms
  let c = await certsOf(app)
  while (!until(c) && Date.now() < end) {
    await sleep(500)
    c = await certsOf(app)
  }
  return c
}

const server = "require('http').createServer((q, s) => s.end(`secure ${q.headers['x-forwarded-proto']} ${q.url}\\n`)).listen(process.env.PORT, process.env.BIND_ADDRESS)\n"

t.test('tls: an HTTPS-only app gets a certificate from the ACME CA that a client trusting its root accepts', async (t) => {
  const app = makeApp(t, {
    'server.js': server,
    Procfile: 'web: node server.js\n',
    ENV: `NGINX_SERVER_NAME=secure.phtls.test www.phtls.test\nNGINX_HTTPS_ONLY=true\nACME_ROOT_CA=https://127.0.0.1:${PEBBLE}/dir\nACME_CA_BUNDLE=${join(dir, 'ca.pem')}\nACME_EMAIL=admin@phtls.org\n`,
  })
  const began = Date.now()
  const r = await push(host, app, 'secure')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /asking https:\/\/127\.0\.0\.1:14062\/dir for a certificate in the background/)
  t.ok(Date.now() - began < 30_000, 'the push does not wait for the CA')

  const cert = await waitFor('secure', (c) => c?.kind === 'acme')
  t.match(cert, { kind: 'acme', names: ['secure.phtls.test', 'www.phtls.test'], issuer: /Pebble/ }, (await run('cat', [`${host.home}/logs/secure/certs.log`])).stdout)
  t.notOk(cert?.lastError)

  // pebble's issuing root changes at every start: fetch it from its management port
  const root = (await get(PEBBLE_MGMT, '/roots/0', { ca: apiCa })).body
  t.match(root, /BEGIN CERTIFICATE/)
  for (const name of ['secure.phtls.test', 'www.phtls.test']) {
    let res = await get(host.httpsPort, '/page', { ca: root, servername: name }).catch((e: Error) => ({ status: 0, body: e.message, authorized: false }))
    for (let i = 0; i < 20 && res.status !== 200; i++) {
      await sleep(250) // nginx's reload after the issue may still be rolling out
      res = await get(host.httpsPort, '/page', { ca: root, servername: name }).catch((e: Error) => ({ status: 0, body: e.message, authorized: false }))
    }
    t.equal(res.status, 200, `${name}: ${res.body}`)
    t.ok(res.authorized, `${name}: the certificate chains to pebble's root`)
    t.equal(res.body, 'secure https /page\n')
  }
  const key = await run('stat', ['-c', '%a %U', `${host.home}/certs/secure/live/key.pem`])
  t.equal(key.stdout.trim(), '600 phtls')
})

t.test('tls: HTTP redirects to HTTPS on the requested host, not the first name', async (t) => {
  for (const name of ['secure.phtls.test', 'www.phtls.test']) {
    const res = await httpGet(host, name, '/a/b?c=1')
    t.equal(res.status, 301)
    t.equal(res.headers.location, `https://${name}:${host.httpsPort}/a/b?c=1`)
  }
})

t.test('tls: certs lists the certificate, its issuer, expiry and last attempt', async (t) => {
  const r = await ssh(host, ['certs'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^secure {2}acme$/m)
  t.match(r.stdout, /names {5}secure\.phtls\.test, www\.phtls\.test/)
  t.match(r.stdout, /issuer {4}.*Pebble/)
  t.match(r.stdout, /expires {3}\d{4}-\d\d-\d\dT/)
  t.match(r.stdout, /attempt {3}\S+ \(ok\)/)
})

t.test('tls: the daily renewal runs from a vassal of the emperor and leaves a fresh certificate alone', async (t) => {
  t.ok(existsSync(`${host.home}/uwsgi/vassals/@piku-hooks-renew.ini`))
  let ps = ''
  for (let i = 0; i < 40 && !ps.includes('piku-hooks-renew'); i++) {
    ps = (await run('ps', ['-u', 'phtls', '-o', 'args='])).stdout
    if (!ps.includes('piku-hooks-renew')) await sleep(250)
  }
  t.match(ps, /piku-hooks-renew/, 'the renewal vassal runs under the emperor')
  const before = await certsOf('secure')
  const due = await run('runuser', ['-u', 'phtls', '--', 'env', '-i', `HOME=${host.home}`, 'PATH=/usr/bin:/bin', process.execPath, `${toolkitDir}/dist/lib/entries/acme-issue.js`, '--due'])
  t.equal(due.code, 0, due.stdout + due.stderr)
  t.match(due.stdout, /secure: no certificate asked for: valid until/)
  t.same((await certsOf('secure'))?.notAfter, before?.notAfter)
})

t.test('tls: a CA that does not answer never breaks the push; the error is recorded and shown', async (t) => {
  const app = makeApp(t, { 'server.js': server, Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=down.phtls.test\nACME_ROOT_CA=https://127.0.0.1:1/dir\n' })
  const r = await push(host, app, 'down')
  t.equal(r.code, 0, r.stderr)
  const cert = await waitFor('down', (c) => Boolean(c?.lastError))
  t.match(cert, { kind: 'self-signed', lastError: /ECONNREFUSED|connect/ })
  const res = await get(host.httpsPort, '/', { servername: 'down.phtls.test' }).catch((e: Error) => e.message)
  t.match(res, /self.signed|unable to verify|certificate/i, 'HTTPS still answers, with the self-signed stand-in')
  t.equal((await httpGet(host, 'down.phtls.test', '/x')).body, 'secure http /x\n', 'HTTP serves the app')
  const text = await ssh(host, ['certs', 'down'])
  t.match(text.stdout, /attempt {3}\S+ \(failed\)\n {2}error {5}.*(ECONNREFUSED|connect)/)
})
