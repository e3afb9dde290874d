// tests: ps's text: kinds and counts, one line per instance, other activations and orphaned workers.
import t from 'tap'
import { renderPs } from '../../lib/render/ps.js'

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

t.test('ps: an app whose workers run without a sandbox is marked', async (t) => {
  const r = { app: 'app', release: 'v2', running: true, stopped: false, scaling: { web: 1 }, instances: [], others: [], orphanWorkers: [] }
  t.match(renderPs({ ...r, unsandboxed: true }), /app runs NOT sandboxed: its workers reach everything the host's user can \(doctor says why\)/)
  t.notMatch(renderPs(r), /NOT sandboxed/)
})
