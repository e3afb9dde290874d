import t from 'tap'
import {
  appsGroupRole,
  databaseName,
  parseClusters,
  parseDatabaseInfo,
  parseForceArgs,
  parseNoArgs,
  parseRedisInfo,
  parseRedisRecord,
  planDatabaseEnv,
  planPgHba,
  quoteIdent,
  redisUrl,
  renderDatabaseInfo,
  renderRedisRecord,
  roleOption,
  urlPort,
  validateDumpHead,
  validateUserName,
} from '../../lib/parse/database.js'

t.test('databaseName: USER.APP, unique per user and app, at most 63 bytes', async (t) => {
  t.equal(databaseName('piku', 'myapp'), 'piku.myapp')
  t.equal(databaseName('a-b', 'c'), 'a-b.c')
  t.notOk(validateUserName('a.b').ok, "'.' is never in a user name: the first one in a name splits user and app")
  const long = databaseName('piku', 'x'.repeat(64))
  t.equal(long.length, 63)
  t.match(long, /^piku\.x{49}~[0-9a-f]{8}$/)
  t.not(databaseName('piku', 'x'.repeat(64)), databaseName('piku', 'x'.repeat(63) + 'y'), 'the hash tells long names apart')
  t.equal(databaseName('u', 'x'.repeat(61)).length, 63, 'exactly 63: kept whole')
  t.equal(appsGroupRole('piku'), 'piku~apps')
})

t.test('validateUserName', async (t) => {
  t.ok(validateUserName('piku').ok)
  t.notOk(validateUserName('Piku').ok)
  t.notOk(validateUserName('a b').ok)
})

t.test('planDatabaseEnv: DATABASE_URL and the PG* variables', async (t) => {
  const env = planDatabaseEnv({ name: 'piku.my-app', password: 'abc123abc123abc123', port: 5432 })
  t.same(env, [
    ['DATABASE_URL', 'postgres://piku.my-app:abc123abc123abc123@127.0.0.1:5432/piku.my-app'],
    ['PGHOST', '127.0.0.1'],
    ['PGPORT', '5432'],
    ['PGDATABASE', 'piku.my-app'],
    ['PGUSER', 'piku.my-app'],
    ['PGPASSWORD', 'abc123abc123abc123'],
  ])
  t.match(planDatabaseEnv({ name: 'u.a~b', password: 'abc123abc123abc123', port: 1 })[0][1], /u\.a~b:/)
  t.throws(() => planDatabaseEnv({ name: 'x', password: 'a:b@c', port: 5432 }), /letters and digits/)
})

t.test('redisUrl and urlPort', async (t) => {
  t.equal(redisUrl('abc123abc123abc123', 21000), 'redis://:abc123abc123abc123@127.0.0.1:21000/0')
  t.throws(() => redisUrl('short', 1), /letters and digits/)
  t.equal(urlPort('redis://:pw@127.0.0.1:21000/0'), 21000)
  t.equal(urlPort('redis://elsewhere:6379/0'), undefined)
  t.equal(urlPort(undefined), undefined)
})

t.test('parseRedisRecord / renderRedisRecord', async (t) => {
  const r = { port: 21000, password: 'abc123abc123abc123' }
  t.same(parseRedisRecord(renderRedisRecord(r)), { ok: true, value: r })
  t.match(parseRedisRecord('{'), { ok: false, errors: [/not JSON/] })
  t.match(parseRedisRecord('null'), { ok: false, errors: [/not an object/] })
  t.match(parseRedisRecord('{"port":80,"password":"abc123abc123abc123"}'), { ok: false, errors: [/port/] })
  t.match(parseRedisRecord('{"port":"21000","password":"abc123abc123abc123"}'), { ok: false, errors: [/port/] })
  t.match(parseRedisRecord('{"port":21000,"password":"x y"}', 'config/a/redis.json'), { ok: false, errors: [/^config\/a\/redis\.json: password/] })
})

t.test('planPgHba: our block first, replaced in place, idempotent, other users kept', async (t) => {
  const stock = '# comment\n\nlocal   all   postgres   peer\nhost all all 127.0.0.1/32 scram-sha-256\n'
  const once = planPgHba(stock, 'piku')
  const lines = once.split('\n')
  t.equal(lines[0], '# comment')
  t.match(lines[2], /^# piku-hooks piku: begin/)
  t.match(lines[3], /^host\s+all\s+piku\s+all\s+reject$/)
  t.match(lines[4], /^host\s+samerole\s+\+piku~apps\s+127\.0\.0\.1\/32\s+scram-sha-256$/)
  t.match(lines[5], /^host\s+all\s+\+piku~apps\s+all\s+reject$/)
  t.match(lines[6], /^# piku-hooks piku: end$/)
  t.ok(once.indexOf('piku: end') < once.indexOf('local   all   postgres'), 'before every stock line')
  t.equal(planPgHba(once, 'piku'), once, 'a second run changes nothing')
  const edited = once.replace('reject\n', 'trust\n')
  t.equal(planPgHba(edited, 'piku'), once, 'an edit inside the block is replaced')
  const two = planPgHba(once, 'other')
  t.match(two, /piku: begin[\s\S]*piku: end/)
  t.match(two, /other: begin[\s\S]*other: end/)
  t.match(planPgHba("# only comments\n", "piku"), /^# only comments\n\n# piku-hooks piku: begin[\s\S]*end\n$/)
  t.throws(() => planPgHba(stock, 'bad user'), /invalid user name/)
})

t.test('parseClusters: pg_lsclusters lines', async (t) => {
  const text = '15  main    5432 online postgres /var/lib/postgresql/15/main /var/log/x.log\n13  old 5433 down postgres /x /y\nnoise\n'
  t.same(parseClusters(text), [
    { version: '15', name: 'main', port: 5432, running: true },
    { version: '13', name: 'old', port: 5433, running: false },
  ])
  t.same(parseClusters(''), [])
})

t.test('validateDumpHead: custom-format dumps only', async (t) => {
  t.same(validateDumpHead(Buffer.from('PGDMP\x01\x0e')), { ok: true, value: true })
  t.match(validateDumpHead(Buffer.from('DROP TABLE x;')), { ok: false, errors: [/not a PostgreSQL custom-format dump/] })
  t.match(validateDumpHead(Buffer.from('PG')), { ok: false })
})

t.test('parseForceArgs and parseNoArgs', async (t) => {
  t.same(parseForceArgs('postgres:destroy', ['--force']), { ok: true, value: true })
  t.same(parseForceArgs('postgres:destroy', []), { ok: true, value: false })
  t.match(parseForceArgs('postgres:destroy', ['--forc']), { ok: false, errors: [/unexpected argument "--forc"; usage: postgres:destroy APP --force/] })
  t.same(parseNoArgs('postgres:info', ['--json'], true), { ok: true, value: { json: true } })
  t.same(parseNoArgs('postgres:create', []), { ok: true, value: { json: false } })
  t.match(parseNoArgs('postgres:create', ['--json']), { ok: false, errors: [/usage: postgres:create APP$/] })
  t.match(parseNoArgs('redis:info', ['x'], true), { ok: false, errors: [/usage: redis:info APP \[--json\]/] })
})

t.test('quoteIdent and roleOption', async (t) => {
  t.equal(quoteIdent('piku.app'), '"piku.app"')
  t.equal(quoteIdent('a"b'), '"a""b"')
  t.throws(() => quoteIdent('a\0b'), /NUL/)
  t.equal(roleOption('piku.app'), '-c role=piku.app')
  t.equal(roleOption('a b\\c'), '-c role=a\\ b\\\\c')
})

t.test('parseDatabaseInfo and renderDatabaseInfo', async (t) => {
  const info = parseDatabaseInfo('7901315|7716 kB|2\n5432\n', 'piku.app', 5432)
  t.same(info, { database: 'piku.app', role: 'piku.app', host: '127.0.0.1', port: 5432, bytes: 7901315, size: '7716 kB', connections: 2 })
  t.equal(parseDatabaseInfo('5432\n', 'x', 5432), undefined)
  const text = renderDatabaseInfo(info!)
  t.match(text, /^database:\s+piku\.app$/m)
  t.match(text, /^connections: 2$/m)
  t.match(text, /127\.0\.0\.1:5432/)
})

t.test('parseRedisInfo', async (t) => {
  const text = '# Server\r\nredis_version:7.0.15\r\nprocess_id:42\r\n# Memory\r\nused_memory_human:1.02M\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb1:keys=2,expires=0\r\ndb2:nothing\r\n'
  t.same(parseRedisInfo(text), { running: true, version: '7.0.15', pid: 42, keys: 5, memory: '1.02M' })
  t.same(parseRedisInfo(''), { running: false })
})
