import t from 'tap'
import {
  parseRepoArgument,
  quoteForMessage,
  validateAppName,
  validateConfigKey,
  validateKeyName,
  validateKind,
} from '../../lib/parse/app-name.js'

t.test('validateAppName: accepts plain names', async t => {
  for (const name of ['a', 'myapp', 'my-app', 'my_app', 'my.app', 'App2', '0day', '_x', 'x'.repeat(64), 'a..b']) {
    t.same(validateAppName(name), { ok: true, value: name }, name)
  }
})

t.test('validateAppName: refuses everything else', async t => {
  for (const name of ['', '.', '..', '.hidden', '-flag', 'a/b', 'a b', 'x'.repeat(65), 'café', 'a\nb', 'a;b', '$x', 'a~']) {
    const r = validateAppName(name)
    t.equal(r.ok, false, JSON.stringify(name))
  }
})

t.test('validateAppName: message names the value and the rule', async t => {
  t.same(validateAppName('-x'), {
    ok: false,
    errors: [`app name "-x": use letters, digits, '-', '_' and '.', not starting with '.' or '-' (at most 64 characters)`],
  })
})

t.test('quoteForMessage: escapes control characters and truncates', async t => {
  t.equal(quoteForMessage('a\nb'), '"a\\nb"')
  t.equal(quoteForMessage('abcdef', 3), '"abc…"')
})

t.test('parseRepoArgument: accepts the forms git sends', async t => {
  for (const arg of ['app', '/app', 'app.git', '/app.git']) {
    t.same(parseRepoArgument(arg), { ok: true, value: 'app' }, arg)
  }
  t.same(parseRepoArgument('my.app'), { ok: true, value: 'my.app' })
})

t.test('parseRepoArgument: refuses folders and ~', async t => {
  for (const arg of ['~/app', '~app', 'a/b', '/a/b', '//app', '../app', 'app/']) {
    const r = parseRepoArgument(arg)
    t.equal(r.ok, false, arg)
    if (!r.ok) t.match(r.errors[0], /^repository ".*": use the plain app name/)
  }
})

t.test('parseRepoArgument: refuses bad names with the app-name rule', async t => {
  for (const arg of ['', '/', '.git', '/.git', '..git', '-x', 'a b']) {
    const r = parseRepoArgument(arg)
    t.equal(r.ok, false, arg)
    if (!r.ok) t.match(r.errors[0], /app name/)
  }
})

t.test('validateKeyName: accepts and refuses', async t => {
  for (const k of ['alice', 'alice@laptop', 'ci-bot_2', 'a.b']) t.same(validateKeyName(k), { ok: true, value: k })
  for (const k of ['', '@x', '-x', '.x', 'a b', 'a/b', 'x'.repeat(65)]) {
    const r = validateKeyName(k)
    t.equal(r.ok, false, k)
    if (!r.ok) t.match(r.errors[0], /^key name /)
  }
})

t.test('validateKind: accepts and refuses', async t => {
  for (const k of ['web', 'wsgi', 'cron1', 'worker-2', 'my_worker', 'W', 'a'.repeat(32)]) {
    t.same(validateKind(k), { ok: true, value: k })
  }
  for (const k of ['', '1web', '_x', 'a b', 'a/b', 'a.b', 'a'.repeat(33), 'wéb']) {
    const r = validateKind(k)
    t.equal(r.ok, false, k)
    if (!r.ok) t.match(r.errors[0], /^kind ".*": start with a letter/)
  }
})

t.test('validateConfigKey: accepts and refuses', async t => {
  for (const k of ['PORT', '_X', 'a1', 'NGINX_SERVER_NAME', 'A'.repeat(128)]) {
    t.same(validateConfigKey(k), { ok: true, value: k })
  }
  for (const k of ['', '1A', 'A-B', 'A.B', 'A B', 'A=B', 'A'.repeat(129)]) {
    const r = validateConfigKey(k)
    t.equal(r.ok, false, k)
    if (!r.ok) t.match(r.errors[0], /^config key /)
  }
})
