import t from 'tap'
import {
  parseBool,
  parseHealth,
  parseKeepReleases,
  parseServerNames,
  parseSettingArgs,
  parseUwsgiSettings,
} from '../../lib/parse/settings.js'

t.test('parseBool: piku truthy words, any case', async t => {
  for (const v of ['1', 'on', 'true', 'enabled', 'yes', 'y', 'TRUE', 'Yes', ' on ']) t.equal(parseBool(v), true, v)
  for (const v of [undefined, '', '0', 'false', 'no', 'banana', 'tru']) t.equal(parseBool(v), false, String(v))
})

t.test('parseSettingArgs: pairs split at the first =', async t => {
  t.same(parseSettingArgs(['A=1', 'B=x=y', 'C=', 'D=a b']), {
    ok: true,
    value: [
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
      ['D', 'a b'],
    ],
  })
})

t.test('parseSettingArgs: every argument is checked, errors name it', async t => {
  t.same(parseSettingArgs(['A=1', 'b', '1X=2', '=3']), {
    ok: false,
    errors: [
      `config:set: argument "b" is not KEY=VALUE (to keep spaces in a value, quote it twice: K='"a b"')`,
      `config:set: argument "1X=2": config key "1X": start with a letter or '_', then use letters, digits and '_' (at most 128 characters)`,
      `config:set: argument "=3": config key "": start with a letter or '_', then use letters, digits and '_' (at most 128 characters)`,
    ],
  })
})

t.test('parseSettingArgs: no arguments', async t => {
  t.same(parseSettingArgs([]), { ok: false, errors: ['config:set: give at least one KEY=VALUE'] })
})

t.test('parseUwsgiSettings: defaults', async t => {
  t.same(parseUwsgiSettings({}), {
    ok: true,
    value: {
      processes: 1,
      threads: 4,
      maxRequests: 1024,
      listen: 100,
      enableThreads: true,
      logMaxSize: 1048576,
      logXForwardedFor: false,
    },
  })
  t.same(parseUwsgiSettings({ UWSGI_PROCESSES: '', UWSGI_IDLE: ' ' }), parseUwsgiSettings({}), 'empty is unset')
})

t.test('parseUwsgiSettings: values read', async t => {
  t.same(
    parseUwsgiSettings({
      UWSGI_PROCESSES: '64',
      UWSGI_THREADS: ' 8 ',
      UWSGI_MAX_REQUESTS: '500',
      UWSGI_LISTEN: '1024',
      UWSGI_ENABLE_THREADS: 'off',
      UWSGI_LOG_MAXSIZE: '4096',
      UWSGI_IDLE: '300',
      UWSGI_LOG_X_FORWARDED_FOR: 'Yes',
    }),
    {
      ok: true,
      value: {
        processes: 64,
        threads: 8,
        maxRequests: 500,
        listen: 1024,
        enableThreads: false,
        logMaxSize: 4096,
        idle: 300,
        logXForwardedFor: true,
      },
    },
  )
})

t.test('parseUwsgiSettings: bad values name the key, all reported', async t => {
  t.same(
    parseUwsgiSettings({
      UWSGI_PROCESSES: 'two',
      UWSGI_THREADS: '0',
      UWSGI_LOG_MAXSIZE: '1024',
      UWSGI_ENABLE_THREADS: 'maybe',
      UWSGI_IDLE: '-5',
      UWSGI_LISTEN: '1e3',
    }),
    {
      ok: false,
      errors: [
        'UWSGI_PROCESSES="two": expected a whole number from 1 to 64',
        'UWSGI_THREADS="0": expected a whole number from 1 to 64',
        'UWSGI_LISTEN="1e3": expected a whole number from 1 to 65535',
        'UWSGI_ENABLE_THREADS="maybe": expected true or false (also 1/0, yes/no, on/off)',
        'UWSGI_LOG_MAXSIZE="1024": expected a whole number from 4096 to 2147483647',
        'UWSGI_IDLE="-5": expected a whole number from 1 to 86400',
      ],
    },
  )
  t.same(parseUwsgiSettings({ UWSGI_PROCESSES: '65' }).ok, false)
  t.same(parseUwsgiSettings({ UWSGI_MAX_REQUESTS: '9'.repeat(20) }).ok, false)
})

t.test('parseServerNames: commas or spaces, lowercased, de-duplicated', async t => {
  t.same(parseServerNames('Example.com, www.example.com  *.Apps.example.com,example.com\t10.0.0.1'), {
    ok: true,
    value: ['example.com', 'www.example.com', '*.apps.example.com', '10.0.0.1'],
  })
  t.same(parseServerNames(''), { ok: true, value: [] })
  t.same(parseServerNames(' , '), { ok: true, value: [] })
  t.same(parseServerNames('localhost'), { ok: true, value: ['localhost'] })
  t.same(parseServerNames('xn--bcher-kva.example'), { ok: true, value: ['xn--bcher-kva.example'] })
})

t.test('parseServerNames: refuses anything nginx could misread', async t => {
  const bad = [
    'a;b',
    'a{b}',
    '"a"',
    "'a'",
    '$host',
    '-a.com',
    'a-.com',
    'a..com',
    '.a.com',
    'a.com.',
    '*',
    '*.',
    'a.*.com',
    'a_b.com',
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    '::1',
    'ex\u00e4mple.com',
    'a'.repeat(64) + '.com',
    ('a'.repeat(60) + '.').repeat(5) + 'com',
  ]
  for (const v of bad) {
    const r = parseServerNames(v)
    t.equal(r.ok, false, v)
  }
  t.same(parseServerNames('ok.com bad;name also$bad'), {
    ok: false,
    errors: [
      'NGINX_SERVER_NAME: "bad;name" is not a host name; use names like example.com, *.example.com or an IPv4 address, separated by commas or spaces',
      'NGINX_SERVER_NAME: "also$bad" is not a host name; use names like example.com, *.example.com or an IPv4 address, separated by commas or spaces',
    ],
  })
})

t.test('parseHealth: defaults and values', async t => {
  t.same(parseHealth({}), { ok: true, value: { path: '/', timeout: 30 } })
  t.same(parseHealth({ PIKU_HEALTH_PATH: '', PIKU_HEALTH_TIMEOUT: '' }), { ok: true, value: { path: '/', timeout: 30 } })
  t.same(parseHealth({ PIKU_HEALTH_PATH: '/healthz?full=1', PIKU_HEALTH_TIMEOUT: '600' }), {
    ok: true,
    value: { path: '/healthz?full=1', timeout: 600 },
  })
})

t.test('parseHealth: bad values', async t => {
  t.same(parseHealth({ PIKU_HEALTH_PATH: 'healthz', PIKU_HEALTH_TIMEOUT: '0' }), {
    ok: false,
    errors: [
      'PIKU_HEALTH_PATH="healthz": expected a path starting with "/" without spaces or control characters (at most 1024 characters)',
      'PIKU_HEALTH_TIMEOUT="0": expected a whole number from 1 to 600',
    ],
  })
  for (const p of ['/a b', '/a\nb', '/\u00e9', '/' + 'a'.repeat(1024)]) t.equal(parseHealth({ PIKU_HEALTH_PATH: p }).ok, false, p)
  t.equal(parseHealth({ PIKU_HEALTH_PATH: '/' + 'a'.repeat(1023) }).ok, true)
})

t.test('parseKeepReleases: default, range', async t => {
  t.same(parseKeepReleases({}), { ok: true, value: 5 })
  t.same(parseKeepReleases({ PIKU_KEEP_RELEASES: '100' }), { ok: true, value: 100 })
  t.same(parseKeepReleases({ PIKU_KEEP_RELEASES: '0' }), {
    ok: false,
    errors: ['PIKU_KEEP_RELEASES="0": expected a whole number from 1 to 100'],
  })
})

t.test('parseUwsgiSettings: UWSGI_GEVENT and UWSGI_ASYNCIO, one loop engine at a time', async t => {
  t.match(parseUwsgiSettings({ UWSGI_GEVENT: '100' }), { ok: true, value: { gevent: 100 } })
  t.match(parseUwsgiSettings({ UWSGI_ASYNCIO: '10' }), { ok: true, value: { asyncio: 10 } })
  t.same(parseUwsgiSettings({ UWSGI_GEVENT: 'lots' }), { ok: false, errors: ['UWSGI_GEVENT="lots": expected a whole number from 1 to 10000'] })
  t.same(parseUwsgiSettings({ UWSGI_GEVENT: '10', UWSGI_ASYNCIO: '10' }), {
    ok: false,
    errors: ['UWSGI_GEVENT and UWSGI_ASYNCIO: set one of them, not both (each is a loop engine of its own)'],
  })
})
