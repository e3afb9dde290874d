import t from 'tap'
import { matchInstances, parseVassalNames } from '../../lib/state/instances.js'
import { renderPs } from '../../lib/render/ps.js'
import type { ProcInfo } from '../../lib/host/proc.js'

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
  })
  t.equal(text, 'web:1\nworker:2\n\nweb.1     pid 20          2.0 MB  2 processes\nworker.1  not running\n')
  t.match(renderPs({ app: 'app', release: 'v2', running: false, stopped: true, scaling: { web: 1 }, instances: [] }), /app is stopped/)
})
