// render/jwsgi: a jwsgi vassal's options from the app's template copy (checked like an include file) and the
// envdir its uwsgi master loads the app's environment from.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { planEnvDir, renderJwsgiOptions, type JwsgiValues } from '../../lib/render/jwsgi.js'
import { renderVassal, type VassalSettings } from '../../lib/render/uwsgi.js'

t.snapshotFile = new URL('../fixtures/snapshots/render/jwsgi.cjs', import.meta.url).pathname
const stock = readFileSync(new URL('../../templates/uwsgi/jwsgi.ini', import.meta.url), 'utf8')
const values: JwsgiValues = {
  port: 24011,
  processes: 2,
  threads: 4,
  maxRequests: 1024,
  listen: 100,
  envDir: '/home/piku/apps/demo/run/v3-x/jwsgi.1.env',
  classpath: ['/home/piku/apps/demo/releases/v3/target/app.jar', '/home/piku/apps/demo/releases/v3/target/lib/dep.jar'],
  entry: 'com/example/App:application',
}

t.test('renderJwsgiOptions: the stock template gives loopback HTTP, the JVM plugins and the classpath', async (t) => {
  const r = renderJwsgiOptions(stock, values, 'templates/uwsgi/jwsgi.ini')
  if (!r.ok) throw new Error(r.errors.join('\n'))
  t.same(r.value.slice(0, 4), [
    ['plugin', 'jvm'],
    ['plugin', 'jwsgi'],
    ['http-socket', '127.0.0.1:24011'],
    ['http-socket-modifier1', '8'],
  ])
  t.same(r.value.filter(([k]) => k === 'jvm-classpath').map(([, v]) => v), [
    '/usr/share/java/uwsgi.jar',
    '/home/piku/apps/demo/releases/v3/target/app.jar:/home/piku/apps/demo/releases/v3/target/lib/dep.jar',
  ])
  const settings: VassalSettings = { processes: 2, threads: 4, maxRequests: 1024, listen: 100, enableThreads: true, logMaxSize: 1048576, include: [['harakiri', '30']] }
  const text = renderVassal({ app: 'demo', release: 'v3', kind: 'jwsgi', n: 1, role: 'jwsgi', cwd: '/home/piku/apps/demo/releases/v3', logFile: '/home/piku/logs/demo/jwsgi.1.log', settings, port: 24011, jwsgiOptions: r.value })
  t.match(text, /^jwsgi = com\/example\/App:application\nharakiri = 30\n$/m, 'include lines come last')
  t.matchSnapshot(text, 'jwsgi vassal')
})

t.test('renderJwsgiOptions: an admin\'s edit that breaks a line is named with its file and line', async (t) => {
  const edited = stock.replace('threads = {{THREADS}}', 'threads = {{THREADS}}\n[extra]')
  t.match(renderJwsgiOptions(edited, values, 'repos/demo/templates/uwsgi/jwsgi.ini'), { ok: false, errors: [/^repos\/demo\/templates\/uwsgi\/jwsgi\.ini:\d+: section headers/] })
  t.throws(() => renderJwsgiOptions(stock.replace('{{ENTRY}}', '{{CLASS}}'), values, 'x'), /placeholder \{\{CLASS\}\} has no value/)
})

t.test('renderVassal: a jwsgi vassal without its options is a bug', async (t) => {
  const settings: VassalSettings = { processes: 1, threads: 1, maxRequests: 1, listen: 1, enableThreads: true, logMaxSize: 1 }
  t.throws(() => renderVassal({ app: 'a', release: 'v1', kind: 'jwsgi', n: 1, role: 'jwsgi', cwd: '/r', logFile: '/l', settings }), /jwsgi vassal needs its options/)
})

t.test('planEnvDir: one file per variable; empty values left out, values uwsgi would change refused by name', async (t) => {
  t.same(planEnvDir({ APP: 'demo', EMPTY: '', Q: "it's $(not) %(expanded)" }), { ok: true, value: { APP: 'demo', Q: "it's $(not) %(expanded)" } })
  t.match(planEnvDir({ PEM: 'a\nb', PAD: 'x ', OK: 'y' }), { ok: false, errors: [/^PEM: a jwsgi worker cannot receive a value with a line break/, /^PAD: /] })
  t.match(planEnvDir({ 'BAD-NAME': 'x' }), { ok: false, errors: [/"BAD-NAME" cannot be passed to a jwsgi worker/] })
})
