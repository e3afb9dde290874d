// render/uwsgi: vassal files as ordered pairs (whole files as snapshots), value checks and UWSGI_INCLUDE_FILE.
import t from 'tap'

// whole rendered files, reviewed like code; kept beside the other fixtures (nothing but the design card's folders at the top)
t.snapshotFile = new URL('../fixtures/snapshots/render/uwsgi.cjs', import.meta.url).pathname
import { parseUwsgiInclude, phpMemoryLimitMb, planVassal, renderVassal, serializeVassal, validateVassalValue, wsgiPlugins, PLUGIN_PACKAGES, type VassalSettings, type VassalSpec } from '../../lib/render/uwsgi.js'

const settings: VassalSettings = { processes: 2, threads: 4, maxRequests: 1024, listen: 100, enableThreads: true, logMaxSize: 1048576 }
const base = { app: 'demo', release: 'v3', n: 1, cwd: '/home/piku/apps/demo/releases/v3', settings }
const log = (kind: string) => `/home/piku/logs/demo/${kind}.1.log`

t.test('renderVassal: a wsgi vassal with every UWSGI_* setting and include lines last', async (t) => {
  const spec: VassalSpec = {
    ...base,
    kind: 'wsgi',
    role: 'wsgi',
    logFile: log('wsgi'),
    port: 24001,
    settings: { processes: 3, threads: 8, maxRequests: 500, listen: 64, enableThreads: false, logMaxSize: 200000, idle: 600, include: [['buffer-size', '8192'], ['harakiri', '30']] },
    wsgi: { loader: '/usr/local/lib/piku-hooks/templates/uwsgi/wsgi-loader.py', envFile: '/home/piku/apps/demo/run/v3-x/wsgi.1.json' },
  }
  const text = renderVassal(spec)
  t.match(text, /^processes = 3$/m)
  t.match(text, /^idle = 600\ncheap = true\nbuffer-size = 8192\nharakiri = 30\n$/m)
  t.matchSnapshot(text, 'wsgi')
})

t.test('renderVassal: web and worker vassals run a launcher under attach-daemon2', async (t) => {
  const web = renderVassal({ ...base, kind: 'web', role: 'web', logFile: log('web'), port: 24002, launcher: '/home/piku/apps/demo/run/v3-x/web.1.sh' })
  t.match(web, /^processes = 0$/m)
  t.match(web, /^attach-daemon2 = cmd=\/home\/piku\/apps\/demo\/run\/v3-x\/web\.1\.sh,stopsignal=15,reloadsignal=15$/m)
  t.matchSnapshot(web, 'web')
  const worker = renderVassal({ ...base, kind: 'worker', role: 'daemon', logFile: log('worker'), launcher: '/home/piku/apps/demo/run/v3-x/worker.1.sh' })
  t.matchSnapshot(worker, 'worker')
})

t.test('renderVassal: a cron vassal has one cron line per schedule', async (t) => {
  const text = renderVassal({ ...base, kind: 'cron', role: 'cron', logFile: log('cron'), launcher: '/run/c.sh', cronSchedules: ['-1 -1 -1 -1 -1', '0 3 -1 -1 -1'] })
  t.match(text, /^cron = -1 -1 -1 -1 -1 \/run\/c\.sh\ncron = 0 3 -1 -1 -1 \/run\/c\.sh$/m)
  t.matchSnapshot(text, 'cron')
})

t.test('renderVassal: a php vassal serves its docroot on loopback, .php files only under it', async (t) => {
  const spec: VassalSpec = {
    ...base,
    kind: 'php',
    role: 'php',
    logFile: log('php'),
    port: 24003,
    settings: { ...settings, idle: 300 },
    php: { docroot: 'public/', prepend: '/home/piku/repos/demo/templates/uwsgi/php-prepend.php', envFile: '/home/piku/apps/demo/run/v3-x/php.1.json' },
  }
  const text = renderVassal(spec)
  t.match(text, /^plugin = 0:php\nhttp-socket = 127\.0\.0\.1:24003\nprocesses = 2$/m)
  t.match(text, /^php-docroot = \/home\/piku\/apps\/demo\/releases\/v3\/public$/m)
  t.match(text, /^php-allowed-ext = \.php$/m)
  t.notMatch(text, /^threads/m)
  t.matchSnapshot(text, 'php')
  const root = planVassal({ ...spec, php: { ...spec.php!, docroot: '.' }, settings })
  t.same(root.filter(([k]) => k === 'check-static'), [['check-static', '/home/piku/apps/demo/releases/v3']])
  t.notOk(root.some(([k]) => k === 'idle'))
  t.notOk(root.some(([k, v]) => k === 'php-set' && v.startsWith('memory_limit')), 'no cap: PHP keeps its own memory_limit')
  const capped = planVassal({ ...spec, php: { ...spec.php!, capBytes: 256 * 1048576 } })
  t.same(capped.filter(([k]) => k === 'php-set').map(([, v]) => v), ['auto_prepend_file=/home/piku/repos/demo/templates/uwsgi/php-prepend.php', 'memory_limit=96M'])
  t.equal(phpMemoryLimitMb(256 * 1048576, 1), 192)
  t.equal(phpMemoryLimitMb(32 * 1048576, 4), 16, 'at least 16 MB')
  t.equal(phpMemoryLimitMb(64 * 1048576, 0), 48)
})

t.test('renderVassal: a rwsgi vassal loads the rackup file after the loader, on loopback', async (t) => {
  const spec: VassalSpec = {
    ...base,
    kind: 'rwsgi',
    role: 'rwsgi',
    logFile: log('rwsgi'),
    port: 24004,
    rack: { rackup: 'config.ru', loader: '/home/piku/repos/demo/templates/uwsgi/rack-loader.rb', envFile: '/home/piku/apps/demo/run/v3-x/rwsgi.1.json' },
  }
  const text = renderVassal(spec)
  t.match(text, /^plugin = 0:rack\nhttp-socket = 127\.0\.0\.1:24004$/m)
  t.match(text, /^rbrequire = \/home\/piku\/repos\/demo\/templates\/uwsgi\/rack-loader\.rb\nrack = \/home\/piku\/apps\/demo\/releases\/v3\/config\.ru\npost-buffering = 4096$/m)
  t.matchSnapshot(text, 'rwsgi')
  t.same(planVassal({ ...spec, settings: { ...settings, idle: 60 } }).slice(-2), [['idle', '60'], ['cheap', 'true']])
})

t.test('planVassal: refuses a wsgi vassal without port or loader, and a worker without launcher', async (t) => {
  t.throws(() => planVassal({ ...base, kind: 'wsgi', role: 'wsgi', logFile: log('wsgi') }), /needs a port and a loader/)
  t.throws(() => planVassal({ ...base, kind: 'worker', role: 'daemon', logFile: log('worker') }), /needs a launcher/)
  t.throws(() => planVassal({ ...base, kind: 'php', role: 'php', logFile: log('php'), port: 1 }), /php vassal needs a port and a docroot/)
  t.throws(() => planVassal({ ...base, kind: 'rwsgi', role: 'rwsgi', logFile: log('rwsgi') }), /rwsgi vassal needs a port and a rackup file/)
})

t.test('validateVassalValue: no line breaks, no uwsgi magic, no edge spaces', async (t) => {
  for (const ok of ['8192', 'a b', '/x/y%z', 'cost $5', 'mail@host']) t.ok(validateVassalValue(ok), ok)
  for (const bad of ['a\nb', 'a\rb', '%(home)', '$(HOME)', '@(file)', ' lead', 'trail ', 'nul\0']) t.notOk(validateVassalValue(bad), JSON.stringify(bad))
})

t.test('serializeVassal: throws on an unsafe key or value', async (t) => {
  t.equal(serializeVassal('c\nd', [['master', 'true']]), '[uwsgi]\n# c d\nmaster = true\n')
  t.throws(() => serializeVassal('x', [['Bad', '1']]), /unsafe uwsgi option name/)
  t.throws(() => serializeVassal('x', [['env', 'A=$(id)']]), /unsafe uwsgi value for env/)
})

t.test('parseUwsgiInclude: key = value lines, comments and blanks skipped', async (t) => {
  const r = parseUwsgiInclude('\uFEFF# comment\n; also a comment\n\nbuffer-size = 8192\r\nharakiri=30\n  post-buffering =  4096  \nroute = ^/x$ break:403 Forbidden\n', 'uwsgi.ini')
  t.same(r, { ok: true, value: [['buffer-size', '8192'], ['harakiri', '30'], ['post-buffering', '4096'], ['route', '^/x$ break:403 Forbidden']] })
  t.same(parseUwsgiInclude('', 'u.ini'), { ok: true, value: [] })
})

t.test('parseUwsgiInclude: every bad line is reported as FILE:LINE', async (t) => {
  const r = parseUwsgiInclude('[uwsgi]\nno equals here\nBad_Key = 1\nexec-asap = $(id)\nx = %(home)\ny = @(/etc/passwd)\nempty =\n= 3\nok-key = fine\n', 'conf/uwsgi.ini')
  t.same(r, {
    ok: false,
    errors: [
      'conf/uwsgi.ini:1: section headers such as "[uwsgi]" are not allowed; write plain "key = value" lines',
      'conf/uwsgi.ini:2: expected "key = value", got "no equals here"',
      'conf/uwsgi.ini:3: "Bad_Key" is not a uwsgi option name (lowercase letters, digits and -)',
      'conf/uwsgi.ini:4: the value of exec-asap must be non-empty and must not contain %(, $( or @( (uwsgi would expand them)',
      'conf/uwsgi.ini:5: the value of x must be non-empty and must not contain %(, $( or @( (uwsgi would expand them)',
      'conf/uwsgi.ini:6: the value of y must be non-empty and must not contain %(, $( or @( (uwsgi would expand them)',
      'conf/uwsgi.ini:7: the value of empty must be non-empty and must not contain %(, $( or @( (uwsgi would expand them)',
      'conf/uwsgi.ini:8: "" is not a uwsgi option name (lowercase letters, digits and -)',
    ],
  })
})

t.test('renderVassal: UWSGI_GEVENT and UWSGI_ASYNCIO put wsgi workers on a loop engine, without threads', async (t) => {
  const wsgi = (extra: Partial<VassalSettings>) =>
    renderVassal({
      ...base,
      kind: 'wsgi',
      role: 'wsgi',
      logFile: log('wsgi'),
      port: 24002,
      settings: { ...settings, ...extra },
      wsgi: { loader: '/usr/local/lib/piku-hooks/templates/uwsgi/wsgi-loader.py', envFile: '/home/piku/apps/demo/run/v3-x/wsgi.1.json' },
    })
  const gevent = wsgi({ gevent: 100 })
  t.match(gevent, /^plugin = python3\nplugin = gevent_python3\ngevent = 100\n/m)
  t.notMatch(gevent, /^threads =|^enable-threads =/m)
  const asyncio = wsgi({ asyncio: 10 })
  t.match(asyncio, /^plugin = python3\nplugin = greenlet_python3\nplugin = asyncio_python3\nasyncio = 10\ngreenlet = true\n/m)
  t.notMatch(asyncio, /^threads =/m)
  t.match(wsgi({}), /^threads = 4\nenable-threads = true$/m)
  t.same(wsgiPlugins({}), [])
  t.equal(PLUGIN_PACKAGES.gevent_python3, 'uwsgi-plugin-gevent-python3 python3-gevent')
})

t.test('planVassal: a capped instance joins its memory cgroup first of all (exec-asap, as the master)', async (t) => {
  const worker = planVassal({ ...base, kind: 'worker', role: 'daemon', logFile: log('worker'), launcher: '/run/w.sh', memoryScript: '/home/piku/apps/demo/run/v3-x/worker.1.memory.sh' })
  const at = worker.findIndex(([k]) => k === 'exec-asap')
  t.same(worker[at], ['exec-asap', 'exec /home/piku/apps/demo/run/v3-x/worker.1.memory.sh'], '`exec`, so the script\'s parent is the master')
  t.ok(at < worker.findIndex(([k]) => k === 'attach-daemon2'), 'before the launcher starts')
  const wsgi = planVassal({ ...base, kind: 'wsgi', role: 'wsgi', logFile: log('wsgi'), port: 24001, wsgi: { loader: '/l.py', envFile: '/e.json' }, memoryScript: '/m.sh' })
  t.ok(wsgi.some(([k, v]) => k === 'exec-asap' && v === 'exec /m.sh'), 'wsgi too: its workers fork from the master inside the group')
  t.notOk(planVassal({ ...base, kind: 'web', role: 'web', logFile: log('web'), port: 1, launcher: '/run/w.sh' }).some(([k]) => k === 'exec-asap'), 'no cap, no group')
})
