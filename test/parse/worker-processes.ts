// tests: which processes are an app's workers: instances from vassal names, each instance's master and its tree,
// workers of activations that have no vassal file.
import t from 'tap'
import { activationInstances, matchInstances, findOrphanWorkers, type Instance, type ProcInfo } from '../../lib/parse/worker-processes.js'
import { instanceFilePrefix, parseVassalName } from '../../lib/state/paths.js'

t.test('ps: instances of one activation from vassal names', async (t) => {
  const files = ['app@v2-x@web.1.ini', 'app@v2-x@worker.2.ini', 'app@v2-x@worker.1.ini', 'app@v1-y@web.1.ini', 'ab@v2-x@web.1.ini', 'app@v2-x@web.1.ini.tmp']
  t.same(activationInstances(files.flatMap((f) => parseVassalName(f) ?? []), 'app', 'v2-x'), [
    { kind: 'web', n: 1 },
    { kind: 'worker', n: 1 },
    { kind: 'worker', n: 2 },
  ])
})

const proc = (pid: number, ppid: number, cmdline: string, rssKb = 1000, start = pid): ProcInfo => ({ pid, ppid, cmdline, rssKb, start })
const run = '/h/apps/app/run'
/** The live activation's files of an instance, as ps-report builds them from paths. */
const filesIn = (dir: string) => (i: Instance) => `${dir}/${instanceFilePrefix(i.kind, i.n)}`

t.test('ps: the master, its tree and their memory', async (t) => {
  const procs = [
    proc(10, 1, 'uwsgi --ini emperor.ini'),
    proc(20, 10, 'app:web.1 uWSGI master'),
    proc(21, 20, `/bin/sh -c ${run}/v2-x/web.1.sh`),
    proc(22, 21, 'node server.js', 40000),
    proc(30, 10, 'ab:web.1 uWSGI master'),
    proc(31, 30, '/bin/sh -c /h/apps/ab/run/v1-z/web.1.sh'),
  ]
  t.same(matchInstances(procs, 'app', [{ kind: 'web', n: 1 }, { kind: 'worker', n: 1 }], filesIn(`${run}/v2-x`), run), [
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
  t.equal(matchInstances(procs, 'app', [{ kind: 'web', n: 1 }], filesIn(`${run}/v2-x`), run)[0].pid, 20)
  t.equal(matchInstances(procs, 'app', [{ kind: 'web', n: 1 }], filesIn(`${run}/v2-new`), run)[0].pid, 40)
})

t.test('ps: a wsgi master (no launcher) is found by name, the newest first', async (t) => {
  const procs = [proc(20, 10, 'app:wsgi.1 uWSGI master', 1000, 500), proc(21, 20, 'app:wsgi.1 uWSGI worker 1', 9000), proc(40, 10, 'app:wsgi.1 uWSGI master', 1000, 900)]
  t.same(matchInstances(procs, 'app', [{ kind: 'wsgi', n: 1 }], filesIn(`${run}/v2-x`), run), [{ kind: 'wsgi', n: 1, pid: 40, pids: [40], rssKb: 1000 }])
})

t.test("ps: a master running another activation's file is never taken, whatever its age", async (t) => {
  const procs = [
    proc(20, 10, 'app:wsgi.1 uWSGI master', 1000, 500),
    proc(40, 10, 'app:wsgi.1 uWSGI master', 1000, 900),
    proc(41, 40, `/bin/sh ${run}/v1-old/wsgi.1.sh`),
  ]
  t.equal(matchInstances(procs, 'app', [{ kind: 'wsgi', n: 1 }], filesIn(`${run}/v2-x`), run)[0].pid, 20)
  t.equal(matchInstances(procs, 'app', [{ kind: 'wsgi', n: 1 }], filesIn(`${run}/v2-x`), '/h/apps/other/run')[0].pid, 40, 'a file outside the run folder says nothing')
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

t.test('ps: findOrphanWorkers: a sandbox that binds the activation folder itself names its token too', async (t) => {
  const bwrap = (pid: number, ppid: number, token: string) => proc(pid, ppid, `/usr/bin/bwrap --bind /h/apps/app/releases/v2 /h/apps/app/releases/v2 --ro-bind ${run}/${token} ${run}/${token} -- /usr/bin/uwsgi --ini ${run}/${token}/web.1.ini`)
  const procs = [bwrap(20, 10, 'v2-x'), bwrap(21, 20, 'v2-x'), bwrap(30, 10, 'v1-old'), proc(31, 30, `/bin/sh ${run}/v1-old`)]
  t.same(findOrphanWorkers(procs, run, new Set(['v2-x'])).map((o) => [o.pid, o.token]), [[30, 'v1-old']])
  t.same(findOrphanWorkers(procs, run, new Set(['v2-x', 'v1-old'])), [])
})
