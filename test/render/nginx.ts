// render/nginx: whole rendered app files for every variant, as committed snapshots, plus the allow-lists.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

// whole rendered files, reviewed like code; kept beside the other fixtures (nothing but the design card's folders at the top)
t.snapshotFile = new URL('../fixtures/snapshots/render/nginx.cjs', import.meta.url).pathname
import { renderNginxApp, nginxIdent, listenValues, includeLineOf, explainNginxError, NGINX_TEMPLATES, type NginxAppSpec, type NginxTemplates } from '../../lib/render/nginx.js'
import { parseCidrList } from '../../lib/parse/nginx-settings.js'
import { parseNginxInclude, type NginxInclude } from '../../lib/parse/nginx-include.js'

const tpl = {} as NginxTemplates
for (const n of NGINX_TEMPLATES) tpl[n] = readFileSync(new URL(`../../templates/nginx/${n}`, import.meta.url), 'utf8')
const cfText = readFileSync(new URL('../../templates/nginx/cloudflare-ips.txt', import.meta.url), 'utf8')
const cf = parseCidrList(cfText, 'cloudflare-ips.txt')
if (!cf.ok) throw new Error(cf.errors[0])

const base: NginxAppSpec = {
  app: 'web-app',
  user: 'piku',
  release: 'v3',
  token: 'v3-abc123',
  serverNames: ['example.org', 'www.example.org'],
  listen: listenValues([], 80),
  tlsListen: listenValues([], 443),
  httpsPort: 443,
  tls: { cert: '/home/piku/certs/web-app/live/fullchain.pem', key: '/home/piku/certs/web-app/live/key.pem' },
  httpsOnly: false,
  upstreamPorts: [20001, 20002],
  statics: [],
  allowGitFolders: false,
  acmeRoot: '/home/piku/acme',
  maxBody: '100m',
}
const cache = { dir: '/home/piku/cache/web-app/nginx', settings: { prefixes: ['api', 'static/img', 'v1.2'], sizeGb: 2, timeS: 600, redirectsS: 120, anyS: 60, controlS: 300, expiryS: 86400 } }

function include(text: string, file = 'nginx.conf', env: Record<string, string> = {}): NginxInclude {
  const r = parseNginxInclude(text, file, env)
  if (!r.ok) throw new Error(r.errors.join('\n'))
  return r.value
}
const extra = include('location = /extra { return 204; }\n', 'nginx/extra.conf')
// piku's documented include (its pull request): one line raising the body size, plus $VARS
const overrides = include(
  [
    'client_max_body_size 8M;',
    'proxy_read_timeout ${SLOW};',
    'add_header X-Deployed-By "$APP on $host";',
    'add_header X-Frame-Options DENY;',
    'location / {',
    '    return 302 https://$BACKEND$request_uri;',
    '}',
    '',
  ].join('\n'),
  'nginx.conf',
  { SLOW: '300s', APP: 'web-app', BACKEND: 'api.example.org' },
)

const variants: Record<string, NginxAppSpec> = {
  'web app, HTTP and HTTPS in one server': base,
  'HTTPS only, default port': { ...base, httpsOnly: true },
  'HTTPS only, loopback on test ports': { ...base, httpsOnly: true, listen: listenValues(['127.0.0.1'], 28061), tlsListen: listenValues(['127.0.0.1'], 28461), httpsPort: 28461 },
  'static site, catch-all, no upstream': {
    ...base,
    upstreamPorts: [],
    statics: [{ url: '/', dir: '/home/piku/apps/web-app/releases/v3/public/' }],
    catchAll: '/index.html',
  },
  'static paths beside the app, .git allowed': {
    ...base,
    statics: [
      { url: '/assets/', dir: '/home/piku/apps/web-app/releases/v3/public/assets/' },
      { url: '/media/', dir: '/home/piku/apps/web-app/releases/v3/media/' },
    ],
    allowGitFolders: true,
  },
  'cache on three prefixes': { ...base, cache },
  'include file': { ...base, include: extra },
  'include file that sets our defaults and location /': { ...base, include: overrides, proxyReadTimeoutS: 30, cache },
  'body size, proxy timeouts and HSTS': { ...base, maxBody: '8m', proxyReadTimeoutS: 120, proxySendTimeoutS: 90, hsts: { maxAgeS: 31536000, subdomains: true }, cache },
  'basic auth': { ...base, auth: { file: '/home/piku/auth/web-app.htpasswd' } },
  'maintenance, HTTPS only, with auth and an include (both off while in maintenance)': {
    ...base,
    httpsOnly: true,
    maintenance: { page: '/home/piku/apps/web-app/releases/v3/maintenance.html' },
    auth: { file: '/home/piku/auth/web-app.htpasswd' },
    include: extra,
    cache,
    hsts: { maxAgeS: 600, subdomains: false },
    stamp: 'abc12',
  },
  'Cloudflare ACL, HTTPS only': { ...base, httpsOnly: true, cloudflare: cf.value },
  'IPv6 off': { ...base, listen: listenValues([], 80, false), tlsListen: listenValues([], 443, false) },
  'everything at once': { ...base, httpsOnly: true, cache, include: extra, cloudflare: cf.value, statics: [{ url: '/assets/', dir: '/home/piku/apps/web-app/releases/v3/public/' }], hsts: { maxAgeS: 600, subdomains: false }, auth: { file: '/home/piku/auth/web-app.htpasswd' } },
}

for (const [name, spec] of Object.entries(variants)) {
  t.test(`renderNginxApp: ${name}`, async (t) => {
    const text = renderNginxApp(spec, tpl)
    t.notMatch(text, /\{\{/, 'no placeholder left')
    t.matchSnapshot(text)
  })
}

t.test('renderNginxApp: HTTPS-only redirects to the requested host on the HTTPS port, not the first name', async (t) => {
  const text = renderNginxApp(variants['HTTPS only, loopback on test ports'], tpl)
  t.match(text, 'return 301 https://$host:28461$request_uri;')
  t.notMatch(text, '$server_name')
  t.match(renderNginxApp(variants['HTTPS only, default port'], tpl), 'return 301 https://$host$request_uri;')
  // the release check and the ACME challenge stay on HTTP
  const http = text.slice(0, text.indexOf('return 301'))
  t.match(http, 'location = /.well-known/piku-hooks-release')
  t.match(http, 'location ^~ /.well-known/acme-challenge/ {\n        auth_basic off;\n        alias /home/piku/acme/;')
})

t.test('renderNginxApp: cache prefixes end on a boundary and are escaped', async (t) => {
  const text = renderNginxApp(variants['cache on three prefixes'], tpl)
  t.match(text, 'location ~ ^/(api|static/img|v1\\.2)(/|$) {')
  const re = /^\/(api|static\/img|v1\.2)(\/|$)/
  t.ok(re.test('/api') && re.test('/api/x') && re.test('/static/img/a.png'))
  t.notOk(re.test('/apix') || re.test('/v1x2') || re.test('/static/imgx'))
  t.match(text, `proxy_cache_path /home/piku/cache/web-app/nginx keys_zone=${nginxIdent('piku', 'web-app')}:10m inactive=86400s max_size=2g use_temp_path=off;`)
  t.notMatch(text, 'levels=', 'a flat folder the user can clean')
  t.match(text, /location ~ \^\/\(api[^]*add_header X-Deployed-By piku-hooks;/, 'the cache location keeps X-Deployed-By')
  // piku's classes: content, redirects, never errors, anything else
  t.match(text, 'proxy_cache_valid 200 304 600s;\n        proxy_cache_valid 301 307 120s;\n        proxy_cache_valid 500 502 503 504 0s;\n        proxy_cache_valid any 60s;')
  const old = renderNginxApp({ ...base, cache: { ...cache, settings: { ...cache.settings, redirectsS: undefined, anyS: undefined } } }, tpl)
  t.match(old, 'proxy_cache_valid 301 307 3600s;', 'a plan from before NGINX_CACHE_REDIRECTS: piku\'s default')
})

t.test('renderNginxApp: what the include file sets replaces our default for it', async (t) => {
  const text = renderNginxApp(variants['include file that sets our defaults and location /'], tpl)
  t.notMatch(text, 'client_max_body_size 100m', 'ours dropped')
  t.match(text, 'client_max_body_size 8M;', 'theirs kept')
  t.notMatch(text, 'proxy_read_timeout 30s', 'our timeout dropped for theirs')
  t.match(text, 'proxy_read_timeout 300s;', '${SLOW} expanded')
  t.notMatch(text, 'add_header X-Deployed-By piku-hooks', 'our header dropped everywhere, the cache location too')
  t.match(text, 'add_header X-Deployed-By "web-app on $host";', '$APP expanded, nginx\'s $host kept')
  t.match(text, 'return 302 https://api.example.org$request_uri;')
  t.notMatch(text, /location \/ \{\n\s+proxy_pass/, 'our location / gives way to theirs')
  t.match(text, 'location = /.well-known/piku-hooks-release', 'our own locations stay')
})

t.test('renderNginxApp: HSTS only on HTTPS answers, every location that adds headers', async (t) => {
  const text = renderNginxApp(variants['body size, proxy timeouts and HSTS'], tpl)
  const v = `${nginxIdent('piku', 'web-app')}_hsts`
  t.match(text, `map $https $${v} {\n    on "max-age=31536000; includeSubDomains";\n    default "";\n}`)
  t.equal(text.split(`add_header Strict-Transport-Security $${v} always;`).length - 1, 2, 'server and cache location')
  t.match(text, 'client_max_body_size 8m;\n    proxy_read_timeout 120s;\n    proxy_send_timeout 90s;')
})

t.test('renderNginxApp: basic auth covers the app, never the ACME challenge or the release check', async (t) => {
  const text = renderNginxApp(variants['basic auth'], tpl)
  t.match(text, 'auth_basic "web-app";\n    auth_basic_user_file /home/piku/auth/web-app.htpasswd;')
  t.match(text, /location \^~ \/\.well-known\/acme-challenge\/ \{\n\s+auth_basic off;/)
  t.match(text, /location = \/\.well-known\/piku-hooks-release \{\n\s+auth_basic off;/)
})

t.test('renderNginxApp: maintenance answers 503 with the page everywhere but the challenge', async (t) => {
  const text = renderNginxApp(variants['maintenance, HTTPS only, with auth and an include (both off while in maintenance)'], tpl)
  t.match(text, 'error_page 503 /.well-known/piku-hooks-maintenance.html;')
  t.match(text, 'alias /home/piku/apps/web-app/releases/v3/maintenance.html;')
  t.match(text, /location \/ \{\n\s+return 503;/)
  t.notMatch(text, 'proxy_pass', 'nothing reaches the app')
  t.notMatch(text, 'location = /extra', 'nor its include')
  t.notMatch(text, 'auth_basic "', 'nor asks for a password')
  t.notMatch(text, 'proxy_cache_path', 'no cache zone in use')
  t.match(text, 'return 200 "v3-abc123 abc12\\n";', 'the release check carries the stamp')
  t.match(text, 'add_header Strict-Transport-Security', 'HSTS stays on')
})

t.test('includeLineOf, explainNginxError: an nginx -t place inside the include names the include line', async (t) => {
  const spec = { ...base, include: include('gzip on;\nbogus_directive 1;\n', 'nginx.conf') }
  const text = renderNginxApp(spec, tpl)
  const all = text.split('\n')
  const at = all.findIndex((l) => l === 'bogus_directive 1;') + 1
  t.same(includeLineOf(text, at), { file: 'nginx.conf', line: 2 })
  t.same(includeLineOf(text, at - 1), { file: 'nginx.conf', line: 1 })
  t.equal(includeLineOf(text, at - 2), undefined, 'the marker line is ours')
  t.equal(includeLineOf(text, at + 1), undefined, 'the end marker is ours')
  t.equal(includeLineOf(text, 3), undefined)
  const msg = `nginx rejected the configuration: [emerg] unknown directive "bogus_directive" in /home/u/apps/a/run/T/nginx.conf:${at}`
  t.equal(explainNginxError(msg, '/home/u/apps/a/run/T/nginx.conf', text), 'nginx rejected the configuration: [emerg] unknown directive "bogus_directive" in nginx.conf:2 (NGINX_INCLUDE_FILE)')
  t.equal(explainNginxError('x in /home/u/apps/a/run/T/nginx.conf:3', '/home/u/apps/a/run/T/nginx.conf', text), 'x in /home/u/apps/a/run/T/nginx.conf:3')
})

t.test('renderNginxApp: the Cloudflare ACL guards every location and trusts CF-Connecting-IP only from Cloudflare', async (t) => {
  const text = renderNginxApp(variants['Cloudflare ACL, HTTPS only'], tpl)
  const id = nginxIdent('piku', 'web-app')
  t.match(text, `geo $realip_remote_addr $${id} {\n    default 0;\n    127.0.0.1 1;`)
  t.equal(text.split(`if ($${id} = 0) {\n        return 403;`).length - 1, 2, 'both the redirect server and the HTTPS server')
  for (const c of cf.value) t.match(text, `set_real_ip_from ${c};`)
  t.match(text, '2606:4700::/32 1;', 'IPv6 ranges are in whatever DISABLE_IPV6 says')
  t.notMatch(text, /set_real_ip_from 0\.0\.0\.0/)
})

t.test('nginxIdent: one name per (user, app), never shared', async (t) => {
  const pairs: [string, string][] = [['a', 'b-c'], ['a', 'b.c'], ['a', 'b_c'], ['a_b', 'c'], ['a', 'b__c'], ['a-b', 'c']]
  const ids = pairs.map(([u, a]) => nginxIdent(u, a))
  t.equal(new Set(ids).size, ids.length)
  for (const id of ids) t.match(id, /^[A-Za-z0-9_]+$/)
})

t.test('renderNginxApp: values outside the allow-lists throw', async (t) => {
  const bad: [string, Partial<NginxAppSpec>][] = [
    ['server name with a brace', { serverNames: ['a.org}'] }],
    ['server name with a space', { serverNames: ['a.org b'] }],
    ['static dir with ..', { statics: [{ url: '/a/', dir: '/home/piku/x/../etc/' }] }],
    ['static url without a trailing slash', { statics: [{ url: '/assets', dir: '/home/piku/x/' }] }],
    ['include file name with ;', { include: { ...extra, file: 'x;y' } }],
    ['auth file with a space', { auth: { file: '/home/piku/a b' } }],
    ['maintenance page with ..', { maintenance: { page: '/home/piku/../etc/passwd' } }],
    ['stamp with a quote', { stamp: 'a"' }],
    ['cache prefix with (', { cache: { ...cache, settings: { ...cache.settings, prefixes: ['a(b'] } } }],
    ['cache without an upstream', { cache, upstreamPorts: [] }],
    ['certificate path with a quote', { tls: { cert: '/a"b', key: '/k' } }],
    ['listen with an option', { listen: ['80 default_server'] }],
    ['Cloudflare range that is not a CIDR', { cloudflare: ['all'] }],
    ['no server name', { serverNames: [] }],
  ]
  for (const [what, patch] of bad) t.throws(() => renderNginxApp({ ...base, ...patch }, tpl), /unsafe nginx value/, what)
})

t.test('parseCidrList: the shipped Cloudflare list is whole; a bad line or an empty list is an error', async (t) => {
  t.ok(cf.value.length >= 20)
  t.ok(cf.value.includes('173.245.48.0/20'))
  t.same(parseCidrList('# x\n10.0.0.0/8\n', 'f'), { ok: true, value: ['10.0.0.0/8'] })
  t.match(parseCidrList('10.0.0.0/8\nall\n', 'f'), { ok: false, errors: ['f:2: not an IPv4 or IPv6 CIDR: "all"'] })
  t.match(parseCidrList('300.0.0.0/8', 'f'), { ok: false })
  t.match(parseCidrList('# nothing\n', 'f'), { ok: false, errors: [/no ranges/] })
})

// nginx itself accepts every variant (run where nginx is installed; the certificate is a throwaway)
const nginx = spawnSync('/usr/sbin/nginx', ['-v'])
t.test('renderNginxApp: nginx -t accepts every variant', { skip: nginx.status === 0 ? false : 'nginx is not installed' }, async (t) => {
  const dir = t.testdir({})
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=t'])
  t.equal(gen.status, 0, String(gen.stderr))
  mkdirSync(join(dir, 'cache'))
  for (const [name, spec] of Object.entries(variants)) {
    const s: NginxAppSpec = {
      ...spec,
      listen: listenValues(['127.0.0.1'], 28999),
      tlsListen: listenValues(['127.0.0.1'], 28998),
      tls: { cert, key },
      acmeRoot: dir,
      cache: spec.cache ? { ...spec.cache, dir: join(dir, 'cache') } : undefined,
      auth: spec.auth ? { file: join(dir, 'htpasswd') } : undefined,
      maintenance: spec.maintenance ? { page: join(dir, 'maintenance.html') } : undefined,
      statics: spec.statics.map((m) => ({ ...m, dir: `${dir}/` })),
    }
    writeFileSync(join(dir, 'app.conf'), renderNginxApp(s, tpl))
    writeFileSync(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n    include /etc/nginx/mime.types;\n    include ${dir}/app.conf;\n}\n`)
    const r = spawnSync('/usr/sbin/nginx', ['-t', '-q', '-p', `${dir}/`, '-e', 'stderr', '-c', join(dir, 'nginx.conf')])
    t.equal(r.status, 0, `${name}: ${String(r.stderr)}`)
  }
})

t.test('renderNginxApp: with the release folder, static and include locations check every link below it; the maintenance page may not be a link (acceptance findings)', async (t) => {
  const rel = '/home/piku/apps/web-app/releases/v3'
  const text = renderNginxApp({ ...base, releaseDir: `${rel}/`, statics: [{ url: '/s/', dir: `${rel}/public/` }], include: extra }, tpl)
  // from=DIR left DIR's own parts unchecked: the app swapped public/ for a link to another app's release and nginx served it
  t.match(text, `alias ${rel}/public/;\n        # no link in the folder (or in the release above it) is followed: a link out of the release would serve another app's files\n        disable_symlinks on from=${rel};`)
  t.match(text, `disable_symlinks on from=${rel};\n    # NGINX_INCLUDE_FILE nginx/extra.conf`)
  t.notMatch(text, 'from=$document_root')
  const m = renderNginxApp({ ...base, maintenance: { page: `${rel}/maintenance.html` } }, tpl)
  t.match(m, `alias ${rel}/maintenance.html;\n        # the page itself may not be a link (the app could swap it for one)\n        disable_symlinks on from=${rel};`)
  t.throws(() => renderNginxApp({ ...base, releaseDir: '/home/piku/../etc' }, tpl), /unsafe nginx value: release folder/)
})
