import t from 'tap'
import { matchInstances, parseVassalNames, renderPs, findOrphanWorkers, type ProcInfo } from '../../lib/verbs/ps.js'

t.test('ps: instances of one activation from vassal names', async (t) => {
  const files = ['app@v2-x@web.1.ini', 'app@v2-x@worker.2.ini', 'app@v2-x@worker.1.ini', 'app@v1-y@web.1.ini', 'ab@v2-x@web.1.ini', 'app@v2-x@web.1.ini.tmp']
  t.same(parseVassalNames(files, 'app', 'v2-x'), [
    { kind: 'web', n: 1 },
    { kind: 'worker', n: 1 },
    { kind: 'worker', n: 2 },
  ])
})

const proc = (pid: number, ppid: number, cmdline: string, rssKb = 1000, start = pid): ProcInfo => ({ pid, ppid, cmdline, rssKb, start })
const run = '/h/apps/app/run'

t.test('ps: the master, its tree and their memory', async (t) => {
  const procs = [
    proc(10, 1, 'uwsgi --ini emperor.ini'),
    proc(20, 10, 'app:web.1 uWSGI master'),
    proc(21, 20, `/bin/sh -c ${run}/v2-x/web.1.sh`),
    proc(22, 21, 'node server.js', 40000),
    proc(30, 10, 'ab:web.1 uWSGI master'),
    proc(31, 30, '/bin/sh -c /h/apps/ab/run/v1-z/web.1.sh'),
  ]
  t.same(matchInstances(procs, 'app', `${run}/v2-x`, [{ kind: 'web', n: 1 }, { kind: 'worker', n: 1 }]), [
    { kind: 'web', n: 1, pid: 20, pids: [20, 21, 22], rssKb: 42000 },
    { kind: 'worker', n: 1, pids: [], rssKb: 0 },
  ])
})

t.test('ps: during a restart, the live activation master (by its launcher), not the old one', async (t) => {
  const procs = [
    proc(20, 10, 'app:web.1 uWSGI master', 1000, 500),
    proc(21, 20, `/bin/sh -c ${run}/v2-x/web.1.sh`),
    proc(40, 10, 'app:web.1 uWSGI master', 1000, 900),
    proc(41, 40, `/bin/sh -c ${run}/v2-new/web.1.sh`),
  ]
  t.equal(matchInstances(procs, 'app', `${run}/v2-x`, [{ kind: 'web', n: 1 }])[0].pid, 20)
  t.equal(matchInstances(procs, 'app', `${run}/v2-new`, [{ kind: 'web', n: 1 }])[0].pid, 40)
})

t.test('ps: a wsgi master (no launcher) is found by name, the newest first', async (t) => {
  const procs = [proc(20, 10, 'app:wsgi.1 uWSGI master', 1000, 500), proc(21, 20, 'app:wsgi.1 uWSGI worker 1', 9000), proc(40, 10, 'app:wsgi.1 uWSGI master', 1000, 900)]
  t.same(matchInstances(procs, 'app', `${run}/v2-x`, [{ kind: 'wsgi', n: 1 }]), [{ kind: 'wsgi', n: 1, pid: 40, pids: [40], rssKb: 1000 }])
})

t.test('ps: text output', async (t) => {
  const text = renderPs({
    app: 'app',
    release: 'v2',
    running: true,
    stopped: false,
    scaling: { web: 1, worker: 2 },
    instances: [
      { kind: 'web', n: 1, pid: 20, pids: [20, 21], rssKb: 2048 },
      { kind: 'worker', n: 1, pids: [], rssKb: 0 },
    ],
    others: [],
    orphanWorkers: [],
  })
  t.equal(text, 'web:1\nworker:2\n\nweb.1     pid 20          2.0 MB  2 processes\nworker.1  not running\n')
  t.match(renderPs({ app: 'app', release: 'v2', running: false, stopped: true, scaling: { web: 1 }, instances: [], others: [], orphanWorkers: [] }), /app is stopped/)
})

t.test('ps: other activations and orphan workers are listed', async (t) => {
  const text = renderPs({
    app: 'app',
    release: 'v2',
    running: true,
    stopped: false,
    scaling: { web: 1 },
    instances: [{ kind: 'web', n: 1, pid: 20, pids: [20], rssKb: 1024 }],
    others: [
      { token: 'v3-b', release: 'v3', state: 'orphan', instances: ['web.1'], why: 'it never switched: the deploy that started it was interrupted' },
      { token: 'v1-a', release: 'v1', state: 'draining', instances: ['web.1'], why: 'its workers drain (pid 9 stops them)' },
    ],
    orphanWorkers: [{ pid: 77, token: 'v0-z', cmdline: '/bin/sh /h/apps/app/run/v0-z/web.1.sh' }],
  })
  t.match(text, /v3-b  web\.1  ORPHAN \(belongs to no live activation: it never switched/)
  t.match(text, /v1-a  web\.1  draining: its workers drain/)
  t.match(text, /pid 77  ORPHAN worker of activation v0-z/)
})

t.test('ps: findOrphanWorkers: launchers of tokens not known, the top of each tree', async (t) => {
  const procs = [
    proc(20, 10, 'app:web.1 uWSGI master'),
    proc(21, 20, `/bin/sh ${run}/v2-x/web.1.sh`),
    proc(31, 1, `/bin/sh ${run}/v1-old/web.1.sh`),
    proc(32, 31, `/bin/sh -c node server.js ${run}/v1-old/x`),
    proc(41, 1, '/bin/sh /h/apps/other/run/v1-old/web.1.sh'),
  ]
  t.same(findOrphanWorkers(procs, run, new Set(['v2-x'])).map((o) => [o.pid, o.token]), [[31, 'v1-old']])
  t.same(findOrphanWorkers(procs, run, new Set(['v2-x', 'v1-old'])), [])
})
