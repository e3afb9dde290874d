// e2e nginx: per-app nginx settings through a real push: two server names, static paths without traversal,
// a proxy cache on a boundary prefix, an include file, the host's default domain, unknown Host and SNI
// names, the self-signed HTTPS stand-in, and destroy cleaning what nginx's workers wrote.
import t from 'tap'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { request } from 'node:https'
import { connect } from 'node:tls'
import { setupHost, ssh, makeApp, push, httpGet, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const host = await setupHost(t, { user: 'phnginx', sshPort: 22261, httpPort: 28061, httpsPort: 28461, domain: 'phnginx.test' })

const server = [
  "const http = require('http')",
  'let n = 0',
  'http.createServer((req, res) => {',
  '  n++',
  "  res.setHeader('content-type', 'text/plain')",
  "  res.end(`app ${req.headers.host} ${req.url} n=${n}\\n`)",
  '}).listen(process.env.PORT, process.env.BIND_ADDRESS)',
  '',
].join('\n')

const app = makeApp(t, {
  'server.js': server,
  Procfile: 'web: node server.js\n',
  ENV: [
    'NGINX_SERVER_NAME=one.phnginx.test, two.phnginx.test',
    'NGINX_STATIC_PATHS=/assets:public',
    'NGINX_CACHE_PREFIXES=/api',
    'NGINX_CACHE_TIME=600',
    'NGINX_CACHE_CONTROL=120',
    'NGINX_INCLUDE_FILE=nginx/extra.conf',
    'NGINX_ALLOW_GIT_FOLDERS=false',
    'SECRET=leak-me-not',
    '',
  ].join('\n'),
  'public/style.css': 'body { color: teal }\n',
  'nginx/extra.conf': 'location = /extra {\n    default_type text/plain;\n    return 200 "from the include file\\n";\n}\n',
})

/** GET over TLS without checking the (self-signed) certificate; `servername` is the SNI name. */
function httpsGet(h: TestHost, servername: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((done, failed) => {
    const req = request({ host: '127.0.0.1', port: h.httpsPort, path, servername, headers: { Host: servername }, rejectUnauthorized: false, timeout: 10_000, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => done({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', failed)
    req.end()
  })
}

t.test('nginx: an app with two server names answers on both, over HTTP and HTTPS', async (t) => {
  const r = await push(host, app, 'web')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /made a self-signed certificate/)
  t.notMatch(r.stderr, /asking .* for a certificate/, 'no CA is asked for private names')
  for (const name of ['one.phnginx.test', 'two.phnginx.test']) {
    const res = await httpGet(host, name, '/hello')
    t.equal(res.status, 200, name)
    t.match(res.body, `app ${name} /hello`)
    const tls = await httpsGet(host, name, '/hello')
    t.equal(tls.status, 200, `${name} over HTTPS`)
    t.match(tls.body, `app ${name} /hello`)
  }
  const key = statSync(`${host.home}/certs/web/live/key.pem`)
  t.equal(key.mode & 0o777, 0o600, 'the key is private')
})

t.test('nginx: static paths serve files and refuse /assets../ENV and /assets/../ENV', async (t) => {
  const css = await httpGet(host, 'one.phnginx.test', '/assets/style.css')
  t.equal(css.status, 200)
  t.equal(css.body, 'body { color: teal }\n')
  for (const path of ['/assets../ENV', '/assets/../ENV', '/assets/..%2fENV', '/assets../Procfile']) {
    const res = await httpGet(host, 'one.phnginx.test', path)
    t.notMatch(res.body, /leak-me-not|NGINX_SERVER_NAME|web: node/, `${path} does not leak (status ${res.status})`)
  }
})

t.test('nginx: a cached prefix answers from the cache; /apix is not under /api', async (t) => {
  const first = await httpGet(host, 'one.phnginx.test', '/api/time')
  t.equal(first.status, 200)
  t.equal(first.headers['x-cache'], 'MISS')
  const second = await httpGet(host, 'one.phnginx.test', '/api/time')
  t.equal(second.headers['x-cache'], 'HIT')
  t.equal(second.body, first.body, 'the cached answer')
  t.equal(second.headers['cache-control'], 'public, max-age=120')
  t.equal(second.headers['x-deployed-by'], 'piku-hooks')
  const x1 = await httpGet(host, 'one.phnginx.test', '/apix')
  const x2 = await httpGet(host, 'one.phnginx.test', '/apix')
  t.equal(x2.headers['x-cache'], undefined, '/apix is not cached')
  t.not(x1.body, x2.body)
  const dir = `${host.home}/cache/web/nginx`
  t.ok(readdirSync(dir).length > 0, 'nginx wrote its entries into the app cache folder')
})

t.test('nginx: the include file is part of the config; a path outside the app is refused', async (t) => {
  const res = await httpGet(host, 'two.phnginx.test', '/extra')
  t.equal(res.status, 200)
  t.equal(res.body, 'from the include file\n')
  const bad = await ssh(host, ['config:set', 'web', 'NGINX_INCLUDE_FILE=../../../../etc/nginx/nginx.conf'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /NGINX_INCLUDE_FILE=.*give a path inside the app/)
  t.match(bad.stderr, /nothing changed/)
  t.equal((await httpGet(host, 'two.phnginx.test', '/extra')).body, 'from the include file\n', 'the running release keeps its include')
})

t.test('nginx: an app without NGINX_SERVER_NAME answers on APP.DOMAIN from install.sh --domain', async (t) => {
  const site = makeApp(t, { 'public/index.html': '<h1>plain</h1>\n', Procfile: 'static: public\n' })
  const r = await push(host, site, 'plain')
  t.equal(r.code, 0, r.stderr)
  const res = await httpGet(host, 'plain.phnginx.test')
  t.equal(res.status, 200)
  t.equal(res.body, '<h1>plain</h1>\n')
})

t.test('nginx: a Host or TLS name that matches no app gets no app', async (t) => {
  for (const name of ['nobody.phnginx.test', '127.0.0.1', 'one.phnginx.test.evil']) {
    const res = await httpGet(host, name, '/')
    t.equal(res.status, 404, name)
    t.notMatch(res.body, /app |plain/, `${name}: no app's content`)
  }
  const refused = await new Promise<string>((done) => {
    const s = connect({ host: '127.0.0.1', port: host.httpsPort, servername: 'nobody.phnginx.test', rejectUnauthorized: false })
    s.once('secureConnect', () => (done('handshake'), s.destroy()))
    s.once('error', (e) => done(e.message))
  })
  t.match(refused, /alert|unrecognized name|handshake failure/i, 'unknown SNI: the handshake is refused, no certificate shown')
})

t.test('nginx: certs lists each app with its self-signed certificate', async (t) => {
  const r = await ssh(host, ['certs', '--json'])
  t.equal(r.code, 0, r.stderr)
  const certs = JSON.parse(r.stdout).certs as { app: string; kind: string; names: string[]; notAfter: string }[]
  const web = certs.find((c) => c.app === 'web')
  t.match(web, { kind: 'self-signed', names: ['one.phnginx.test', 'two.phnginx.test'] })
  t.ok(web && Date.parse(web.notAfter) > Date.now())
  const text = await ssh(host, ['certs'])
  t.match(text.stdout, /^web {2}self-signed$/m)
})

t.test('nginx: destroy removes the cache nginx wrote and the certificates', async (t) => {
  const r = await ssh(host, ['destroy', 'web'])
  t.equal(r.code, 0, r.stderr)
  t.notOk(existsSync(`${host.home}/cache/web`), 'cache/web is gone, entries written by www-data included')
  t.notOk(existsSync(`${host.home}/certs/web`))
  t.equal((await httpGet(host, 'one.phnginx.test', '/')).status, 404)
})
