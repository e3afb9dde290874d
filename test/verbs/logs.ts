import t from 'tap'
import { parseLogsArgs } from '../../lib/verbs/logs.js'
import { lastLines, selectLogFiles } from '../../lib/state/worker-logs.js'

t.test('logs: arguments', async (t) => {
  t.same(parseLogsArgs([]), { ok: true, value: { kind: undefined, lines: 20, follow: true } })
  t.same(parseLogsArgs(['web', '-n', '5']), { ok: true, value: { kind: 'web', lines: 5, follow: false } })
  t.same(parseLogsArgs(['-n', '7', 'worker']), { ok: true, value: { kind: 'worker', lines: 7, follow: false } })
})

t.test('logs: bad arguments', async (t) => {
  for (const args of [['../x'], ['web', 'worker'], ['-n'], ['-n', '0'], ['-n', 'x'], ['-n', '100000'], ['--follow']]) {
    const r = parseLogsArgs(args)
    t.equal(r.ok, false, args.join(' '))
  }
  t.match(parseLogsArgs(['../etc']), { ok: false, errors: [/^logs: kind "\.\.\/etc"/] })
})

t.test('logs: files of a kind, by kind then number, rotations left out', async (t) => {
  const names = ['worker.10.log', 'web.2.log', 'worker.2.log', 'web.1.log', 'web.1.log.old', 'deploys', 'watch.log', '.x.1.log']
  t.same(selectLogFiles(names), [
    { name: 'web.1.log', label: 'web.1' },
    { name: 'web.2.log', label: 'web.2' },
    { name: 'worker.2.log', label: 'worker.2' },
    { name: 'worker.10.log', label: 'worker.10' },
  ])
  t.same(selectLogFiles(names, 'web').map((f) => f.label), ['web.1', 'web.2'])
  t.same(selectLogFiles(names, 'we'), [], 'a kind is not a prefix')
})

t.test('logs: last lines', async (t) => {
  t.same(lastLines('a\nb\nc\n', 2), ['b', 'c'])
  t.same(lastLines('a\nb', 5), ['a', 'b'])
  t.same(lastLines('', 5), [])
})
