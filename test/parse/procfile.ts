import t from 'tap'
import { classifyKind, parseProcfile, workerKinds, type Procfile } from '../../lib/parse/procfile.js'

const parsed = (text: string): Procfile => {
  const r = parseProcfile(text)
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.value
}
const errors = (text: string, file?: string) => {
  const r = parseProcfile(text, file)
  if (r.ok) throw new Error(`expected errors for ${JSON.stringify(text)}`)
  return r.errors
}

t.test('parseProcfile: kinds, commands and 1-based lines', async t => {
  const p = parsed('# my app\n\nweb: node server.js --port $PORT\n  worker :  ./work.sh a:b  \nrelease: ./migrate\n')
  t.same(p.entries, [
    { kind: 'web', command: 'node server.js --port $PORT', line: 3 },
    { kind: 'worker', command: './work.sh a:b', line: 4 },
    { kind: 'release', command: './migrate', line: 5 },
  ])
})

t.test('parseProcfile: comments, CRLF and a byte-order mark', async t => {
  const p = parsed('\uFEFF  # indented comment\r\nweb: a\r\n\t\r\n#x: y\n')
  t.same(p.entries, [{ kind: 'web', command: 'a', line: 2 }])
})

t.test('parseProcfile: cron lines get a schedule and the command after it', async t => {
  const p = parsed('cron: */5 * * * * ./tick.sh  --fast\ncronNightly: 0 3 * * * echo "a  b"\n')
  t.equal(p.entries[0].command, './tick.sh  --fast')
  t.equal(p.entries[0].cron?.text, '*/5 * * * *')
  t.equal(p.entries[1].kind, 'cronNightly')
  t.equal(p.entries[1].command, 'echo "a  b"')
})

t.test('parseProcfile: bad cron lines', async t => {
  t.same(errors('cron: 61 * * * * x'), ['Procfile:1: cron minute "61" is out of range 0-59'])
  t.same(errors('cron: @daily ./x'), [
    'Procfile:1: cron schedule "@daily" is not supported; write five fields, e.g. "0 0 * * *" for daily',
  ])
  t.same(errors('cron: * * * *'), [
    'Procfile:1: cron needs five schedule fields (minute hour day month weekday) before the command, got 4',
  ])
  t.same(errors('cron1: 0 0 * * *'), [
    'Procfile:1: cron "cron1" has a schedule but no command; write "cron1: M H DoM Mon DoW <command>"',
  ])
})

t.test('parseProcfile: a line without a colon', async t => {
  t.same(errors('web: a\n\nweb node index.js\n'), [
    'Procfile:3: expected "kind: command", got "web node index.js"',
  ])
})

t.test('parseProcfile: bad kinds', async t => {
  t.same(errors('my worker: x'), [
    `Procfile:1: kind "my worker": start with a letter, then use letters, digits, '-' and '_' (at most 32 characters)`,
  ])
  t.match(errors(': x')[0], /^Procfile:1: kind "":/)
  t.match(errors('../x: y')[0], /^Procfile:1: kind "..\/x":/)
})

t.test('parseProcfile: jwsgi takes CLASS:METHOD, with dots or slashes', async t => {
  t.same(parsed('jwsgi: com.example.App:handle\n').entries, [{ kind: 'jwsgi', command: 'com.example.App:handle', line: 1 }])
  t.same(parsed('jwsgi: com/example/App\n').entries[0].command, 'com/example/App')
  t.same(errors('jwsgi: java -jar app.jar\n'), [
    'Procfile:1: expected "jwsgi: CLASS:METHOD", such as "jwsgi: com.example.App:application", got "java -jar app.jar"',
  ])
  t.same(errors('web: a\njwsgi: App\n'), ['Procfile: "web" (line 1), "jwsgi" (line 2) all serve HTTP; keep one of them (nginx proxies to one kind)'])
})

t.test('parseProcfile: php takes a docroot and rwsgi a rackup file, both inside the app', async t => {
  for (const ok of ['php: public', 'php: public/', 'php: .', 'php: web/html', 'rwsgi: config.ru', 'rwsgi: app/config.ru']) {
    t.ok(parseProcfile(ok).ok, ok)
  }
  t.same(parsed('php: public\n').entries, [{ kind: 'php', command: 'public', line: 1 }])
  t.same(errors('php: ../public'), [
    'Procfile:1: "php" takes a path inside the app (letters, digits, . _ - @ + and /, no ..), as in "php: public"; got "../public"',
  ])
  for (const bad of ['php: /srv/www', 'php: a/../../b', 'php: pub lic', 'php: $(HOME)', 'php: a//b', 'rwsgi: ../config.ru']) {
    t.match(errors(bad)[0], /^Procfile:1: "(php|rwsgi)" takes a path inside the app/, bad)
  }
  t.same(errors('rwsgi: app.rb'), ['Procfile:1: "rwsgi" takes a rackup file (.ru), as in "rwsgi: config.ru"; got "app.rb"'])
})

t.test('parseProcfile: one kind serves HTTP', async t => {
  t.same(errors('php: public\nrwsgi: config.ru\nworker: x\n'), [
    'Procfile: "php" (line 1), "rwsgi" (line 2) all serve HTTP; keep one of them (nginx proxies to one kind)',
  ])
  t.same(errors('web: a\nwsgi: b\nphp: c\n'), [
    'Procfile: "web" (line 1), "wsgi" (line 2), "php" (line 3) all serve HTTP; keep one of them (nginx proxies to one kind)',
  ])
})

t.test('parseProcfile: empty command', async t => {
  t.same(errors('web:   '), ['Procfile:1: "web" has no command; write "web: <command>"'])
})

t.test('parseProcfile: duplicate kinds name both lines', async t => {
  t.same(errors('web: a\nworker: b\nweb: c\n'), [
    'Procfile:3: kind "web" is already defined on line 1; keep one (run more copies with ps:scale)',
  ])
})

t.test('parseProcfile: web with wsgi', async t => {
  t.same(errors('wsgi: app:application\nweb: gunicorn app\n'), [
    'Procfile: both "web" (line 2) and "wsgi" (line 1) serve HTTP; keep one: wsgi for a Python WSGI module, web for a server that listens on $PORT',
  ])
})

t.test('parseProcfile: collects every error, with the file name given', async t => {
  t.same(errors('oops\nweb:\nweb: a\nweb: b\ncron: 99 * * * * x\n', 'app/Procfile'), [
    'app/Procfile:1: expected "kind: command", got "oops"',
    'app/Procfile:2: "web" has no command; write "web: <command>"',
    'app/Procfile:4: kind "web" is already defined on line 3; keep one (run more copies with ps:scale)',
    'app/Procfile:5: cron minute "99" is out of range 0-59',
  ])
})

t.test('parseProcfile: nothing to run', async t => {
  const msg = ['Procfile: nothing to run (add a web, wsgi, static or worker line)']
  t.same(errors(''), msg)
  t.same(errors('# only comments\n'), msg)
  t.same(errors('release: ./migrate\npreflight: ./check\n'), msg)
  t.ok(parseProcfile('static: public').ok)
  t.ok(parseProcfile('cron: * * * * * x').ok)
})

t.test('classifyKind: every class', async t => {
  const cases: [string, string][] = [
    ['wsgi', 'wsgi'],
    ['jwsgi', 'jwsgi'],
    ['web', 'web'],
    ['php', 'php'],
    ['rwsgi', 'rwsgi'],
    ['static', 'static'],
    ['release', 'release'],
    ['preflight', 'preflight'],
    ['cron', 'cron'],
    ['cron2', 'cron'],
    ['cronjob', 'cron'],
    ['worker', 'worker'],
    ['Web', 'worker'],
    ['webhook', 'worker'],
  ]
  for (const [kind, cls] of cases) t.equal(classifyKind(kind), cls, kind)
})

t.test('workerKinds: all but preflight and release, in order', async t => {
  const p = parsed('preflight: a\nweb: b\nrelease: c\nworker: d\nstatic: e\ncron: * * * * * f\n')
  t.same(workerKinds(p), ['web', 'worker', 'static', 'cron'])
})
