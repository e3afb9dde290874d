// nginx-settings: NGINX_* options against their allow-lists.
import t from 'tap'
import { parseNginxSettings, parseCachePrefixes, planCachePath, parseBodySize, parseSeconds } from '../../lib/parse/nginx-settings.js'

t.test('parseNginxSettings: defaults are off', async (t) => {
  t.same(parseNginxSettings({}), { ok: true, value: { httpsOnly: false, cache: undefined, includeFile: undefined, cloudflareAcl: false, disableIpv6: false, maxBody: '100m' } })
})

t.test('parseNginxSettings: piku booleans; false stays false', async (t) => {
  const r = parseNginxSettings({ NGINX_HTTPS_ONLY: 'Yes', NGINX_CLOUDFLARE_ACL: 'false', DISABLE_IPV6: '1' })
  t.match(r, { ok: true, value: { httpsOnly: true, cloudflareAcl: false, disableIpv6: true } })
})

t.test('parseNginxSettings: cache numbers with defaults and limits', async (t) => {
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api, static/img/' }), { ok: true, value: { cache: { prefixes: ['api', 'static/img'], sizeGb: 1, timeS: 3600, redirectsS: 3600, anyS: 3600, controlS: 3600, expiryS: 86400 } } })
  const bad = parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api', NGINX_CACHE_SIZE: '0', NGINX_CACHE_TIME: '1h' })
  t.match(bad, { ok: false, errors: ['NGINX_CACHE_SIZE="0": expected a whole number from 1 to 1024', 'NGINX_CACHE_TIME="1h": expected a whole number from 1 to 31536000'] })
})

t.test('parseCachePrefixes: plain prefixes only', async (t) => {
  for (const bad of ['/a(b', '/../x', '/a b;', '/.hidden', '/{x}']) t.match(parseCachePrefixes(bad), { ok: false }, bad)
  t.match(parseCachePrefixes(' , '), { ok: false, errors: [/at least one/] })
  t.same(parseCachePrefixes('/api /api'), { ok: true, value: ['api'] })
})

t.test('parseNginxSettings: NGINX_INCLUDE_FILE stays inside the app', async (t) => {
  t.match(parseNginxSettings({ NGINX_INCLUDE_FILE: './conf/nginx.conf' }), { ok: true, value: { includeFile: 'conf/nginx.conf' } })
  for (const bad of ['/etc/nginx/nginx.conf', '../x.conf', 'a/../../x', '.hidden.conf', 'a;b', 'a b']) {
    t.match(parseNginxSettings({ NGINX_INCLUDE_FILE: bad }), { ok: false, errors: [/NGINX_INCLUDE_FILE=.*give a path inside the app/] }, bad)
  }
})

t.test('parseNginxSettings: NGINX_CACHE_REDIRECTS and NGINX_CACHE_ANY as piku (seconds; 0 caches nothing)', async (t) => {
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api', NGINX_CACHE_REDIRECTS: '60', NGINX_CACHE_ANY: '0' }), { ok: true, value: { cache: { redirectsS: 60, anyS: 0 } } })
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api', NGINX_CACHE_ANY: 'forever' }), { ok: false, errors: ['NGINX_CACHE_ANY="forever": expected a whole number from 0 to 31536000'] })
})

const place = { home: '/home/piku', app: 'web' }
t.test('planCachePath: inside the home, never its own folders or another app\'s cache', async (t) => {
  t.same(planCachePath('/home/piku/cache/web/big', place), { ok: true, value: '/home/piku/cache/web/big' })
  t.same(planCachePath('nginx-cache/web', place), { ok: true, value: '/home/piku/nginx-cache/web' }, 'relative to the home')
  t.same(planCachePath('/home/piku/bigcache/', place), { ok: true, value: '/home/piku/bigcache' })
  const refused: [string, RegExp][] = [
    ['/var/cache/nginx', /must be a folder inside \/home\/piku/],
    ['/home/pikuother/x', /must be a folder inside/],
    ['/home/piku', /must be a folder inside/],
    ['/home/piku/../root', /plain folder path/],
    ['/home/piku/config/web', /belongs to piku-hooks/],
    ['/home/piku/data/web/cache', /belongs to piku-hooks/],
    ['/home/piku/.ssh/x', /plain folder path/],
    ['/home/piku/cache/other/x', /only the app's own/],
    ['/home/piku/cache/web', /only the app's own/],
    ['/home/piku/cache', /only the app's own/],
    ['/home/piku/a b', /plain folder path/],
  ]
  for (const [raw, msg] of refused) t.match(planCachePath(raw, place), { ok: false, errors: [msg] }, raw)
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api', NGINX_CACHE_PATH: '/tmp/c' }, place), { ok: false, errors: [/^NGINX_CACHE_PATH="\/tmp\/c": must be a folder inside/] })
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api', NGINX_CACHE_PATH: '/home/piku/cache/web/big' }, place), { ok: true, value: { cache: { path: '/home/piku/cache/web/big' } } })
})

t.test('parseNginxSettings: body size, proxy timeouts and HSTS against allow-lists', async (t) => {
  t.match(parseNginxSettings({ NGINX_CLIENT_MAX_BODY_SIZE: '8M', NGINX_PROXY_READ_TIMEOUT: '5m', NGINX_PROXY_SEND_TIMEOUT: '90' }), { ok: true, value: { maxBody: '8m', proxyReadTimeoutS: 300, proxySendTimeoutS: 90 } })
  t.same(parseBodySize('0'), '0')
  t.same(parseBodySize('1g'), '1g')
  for (const bad of ['8 M', '8MB', '-1', '1;', '1234567']) t.equal(parseBodySize(bad), undefined, bad)
  t.equal(parseSeconds('1h'), 3600)
  for (const bad of ['0', '25h', '1d', '1.5s', '60 s', '']) t.equal(parseSeconds(bad), undefined, bad)
  t.match(parseNginxSettings({ NGINX_CLIENT_MAX_BODY_SIZE: '10MB' }), { ok: false, errors: ['NGINX_CLIENT_MAX_BODY_SIZE="10MB": expected a size such as 100m, 512k or 1g (0: no limit)'] })
  t.match(parseNginxSettings({ NGINX_PROXY_READ_TIMEOUT: '1;' }), { ok: false, errors: [/^NGINX_PROXY_READ_TIMEOUT="1;": expected seconds/] })
  t.match(parseNginxSettings({ NGINX_HSTS: '1' }), { ok: true, value: { hsts: { maxAgeS: 31536000, subdomains: false } } })
  t.match(parseNginxSettings({ NGINX_HSTS: 'yes', NGINX_HSTS_MAX_AGE: '600', NGINX_HSTS_SUBDOMAINS: 'true' }), { ok: true, value: { hsts: { maxAgeS: 600, subdomains: true } } })
  t.equal((parseNginxSettings({ NGINX_HSTS: 'off' }) as { value: { hsts?: unknown } }).value.hsts, undefined)
  t.match(parseNginxSettings({ NGINX_HSTS: 'sure' }), { ok: false, errors: ['NGINX_HSTS="sure": expected true or false (1/0, yes/no, on/off)'] })
  t.match(parseNginxSettings({ NGINX_HSTS: '1', NGINX_HSTS_MAX_AGE: '1y' }), { ok: false, errors: [/^NGINX_HSTS_MAX_AGE="1y": expected a whole number/] })
})
