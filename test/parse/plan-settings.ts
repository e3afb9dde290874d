// plan-settings: a release's settings from its environment, and the static folders it may publish
// (never the whole app folder: that would serve ENV and the Procfile).
import t from 'tap'
import { planSettings, planStatics } from '../../lib/parse/plan-settings.js'

const st = (command: string, line = 2) => [{ kind: 'static', command, line }]

t.test('planStatics: the guard that keeps ENV from being published', async (t) => {
  for (const whole of ['.', './', '/:.', '/:./']) {
    t.match(planStatics(st(whole), {}, '/app'), { ok: false, errors: [/^Procfile:2: static: serving the whole app folder would publish ENV and Procfile/] }, whole)
  }
  t.match(planStatics([], { NGINX_STATIC_PATHS: '/:.' }, '/app'), { ok: false, errors: [/^NGINX_STATIC_PATHS: serving the whole app folder/] })
  for (const bad of ['../etc', 'public/../..', '.git', 'a/.hidden', '/abs']) {
    t.match(planStatics(st(bad), {}, '/app'), { ok: false, errors: [/must be a relative path inside the app/] }, bad)
  }
  t.match(planStatics(st('/a/../b:public'), {}, '/app'), { ok: false, errors: [/URL "\/a\/..\/b" must be a plain path/] })
  t.match(planStatics([], { NGINX_STATIC_PATHS: 'public' }, '/app'), { ok: false, errors: [/"public": expected \/url:folder/] })
})

t.test('planStatics: a static line and NGINX_STATIC_PATHS, absolute folders', async (t) => {
  t.same(planStatics(st('public'), {}, '/app'), { ok: true, value: [{ url: '/', dir: '/app/public/' }] })
  t.same(planStatics(st('./site/'), { NGINX_STATIC_PATHS: '/assets:static, /media/:up/load' }, '/r'), {
    ok: true,
    value: [
      { url: '/', dir: '/r/site/' },
      { url: '/assets/', dir: '/r/static/' },
      { url: '/media/', dir: '/r/up/load/' },
    ],
  })
  t.same(planStatics([], {}, '/app'), { ok: true, value: [] })
})

t.test('planSettings: defaults, domain names and errors together', async (t) => {
  const r = planSettings({}, 'Web', 'example.com', '', ['web', 'worker'])
  if (!r.ok) return t.fail(r.errors.join())
  t.same(r.value.serverNames, ['web.example.com'])
  t.equal(r.value.allowGitFolders, false)
  t.equal(r.value.catchAll, undefined)
  t.match(r.value.scaling, { web: 1 })
  const named = planSettings({ NGINX_SERVER_NAME: 'a.test b.test', NGINX_CATCH_ALL: '/index.html', NGINX_ALLOW_GIT_FOLDERS: 'true' }, 'web', 'example.com', '', ['web'])
  t.match(named, { ok: true, value: { serverNames: ['a.test', 'b.test'], catchAll: '/index.html', allowGitFolders: true } })
  t.same(planSettings({}, 'web', undefined, '', ['web']).ok && (planSettings({}, 'web', undefined, '', ['web']) as { value: { serverNames: string[] } }).value.serverNames, [])
  const bad = planSettings({ NGINX_CATCH_ALL: 'index.html; evil' }, 'web', undefined, 'web=x\n', ['web'])
  t.equal(bad.ok, false)
  if (!bad.ok) t.ok(bad.errors.some((e) => e.startsWith('NGINX_CATCH_ALL=')) && bad.errors.length >= 2, 'every error at once')
})

t.test('planSettings: a bad NGINX_SERVER_NAME is an error, not a default', async (t) => {
  t.match(planSettings({ NGINX_SERVER_NAME: 'bad;name' }, 'web', 'example.com', '', ['web']), { ok: false, errors: [/NGINX_SERVER_NAME: "bad;name" is not a host name/] })
})
