// nginx-settings: NGINX_* options against their allow-lists.
import t from 'tap'
import { parseNginxSettings, parseCachePrefixes } from '../../lib/parse/nginx-settings.js'

t.test('parseNginxSettings: defaults are off', async (t) => {
  t.same(parseNginxSettings({}), { ok: true, value: { httpsOnly: false, cache: undefined, includeFile: undefined, cloudflareAcl: false, disableIpv6: false } })
})

t.test('parseNginxSettings: piku booleans; false stays false', async (t) => {
  const r = parseNginxSettings({ NGINX_HTTPS_ONLY: 'Yes', NGINX_CLOUDFLARE_ACL: 'false', DISABLE_IPV6: '1' })
  t.match(r, { ok: true, value: { httpsOnly: true, cloudflareAcl: false, disableIpv6: true } })
})

t.test('parseNginxSettings: cache numbers with defaults and limits', async (t) => {
  t.match(parseNginxSettings({ NGINX_CACHE_PREFIXES: '/api, static/img/' }), { ok: true, value: { cache: { prefixes: ['api', 'static/img'], sizeGb: 1, timeS: 3600, controlS: 3600, expiryS: 86400 } } })
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
