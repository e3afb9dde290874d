// tests: the activation journal's recovery planner (which activation serves, what an interrupted deploy left,
// what is rebuilt), and the journal files themselves.
import t from 'tap'
import { readFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { planRecovery, tokenRelease, readJournal, readNginxPlaced, readRecord, writeRecord, markRecord, removeRecord, removeActivation, liveFromJournal, type ActivationRecord, type RecoveryInput } from '../../lib/state/activations.js'

const rec = (token: string, state: ActivationRecord['state'], extra: Partial<ActivationRecord & { ownerAlive: boolean }> = {}) => ({
  app: 'a',
  token,
  release: tokenRelease(token)!,
  ports: { web: [20001] },
  vassals: [`a@${token}@web.1.ini`],
  state,
  started: '2026-01-01T00:00:00Z',
  ownerAlive: false,
  ...extra,
})
const input = (extra: Partial<RecoveryInput>): RecoveryInput => ({ records: [], damagedRecords: [], vassals: [], runDirs: [], active: { state: 'missing' }, nginxPlaced: [], current: 'v1', stopped: false, ...extra })
const active = (token: string) => ({ state: 'ok' as const, value: { release: tokenRelease(token)!, token, ports: { web: [20001] }, started: 's' } })

t.test('recovery: nothing to do on a healthy app', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'switched')], vassals: ['a@v1-a@web.1.ini'], active: active('v1-a'), runDirs: ['v1-a'] }))
  t.equal(p.live?.token, 'v1-a')
  t.same(p.remove, [])
  t.same(p.notes, [])
  t.notOk(p.writeActive)
  t.notOk(p.writeRecord)
})

t.test('recovery: a deploy killed after its workers started: its activation is removed, the old one serves', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'switched'), rec('v2-b', 'starting')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v2-b@worker.1.ini'], active: active('v1-a'), runDirs: ['v1-a', 'v2-b'] }))
  t.equal(p.live?.token, 'v1-a')
  t.same(p.remove.map((r) => [r.token, r.vassals.length]), [['v2-b', 2]])
  t.match(p.notes[0], /removed activation v2-b and its 2 worker\(s\): it never switched/)
  t.same(p.remove.flatMap((r) => r.vassals), ['a@v2-b@web.1.ini', 'a@v2-b@worker.1.ini'])
})

t.test('recovery: a deploy still running (its owner alive) is left alone, and so is a draining activation', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring', { ownerAlive: true, owner: { pid: 9 } }), rec('v2-b', 'switched'), rec('v3-c', 'starting', { ownerAlive: true, owner: { pid: 8 } })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v3-c@web.1.ini'], active: active('v2-b'), current: 'v2' }))
  t.same(p.remove, [])
  t.same(p.keep.map((k) => k.token).sort(), ['v1-a', 'v3-c'])
})

t.test('recovery: a retiring activation whose watcher died is removed; an abandoned one too', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'switched'), rec('v3-c', 'abandoned')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v3-c@web.1.ini'], active: active('v2-b'), current: 'v2' }))
  t.same(p.remove.map((r) => r.token).sort(), ['v1-a', 'v3-c'])
  t.match(p.remove.find((r) => r.token === 'v1-a')!.why, /replaced/)
})

t.test('recovery: killed after nginx switched but before active.json: the switch is completed', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting', { switching: 't' })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: active('v1-a'), nginxPlaced: ['v2-b'], current: 'v1' }))
  t.equal(p.live?.token, 'v2-b')
  t.equal(p.liveFrom, 'switch')
  t.equal(p.writeRecord?.state, 'switched')
  t.equal(p.writeActive?.token, 'v2-b')
  t.equal(p.setCurrent, 'v2')
  t.ok(p.reloadNginx, 'nginx may not have loaded the renamed file')
  t.same(p.remove.map((r) => r.token), ['v1-a'])
  t.match(p.notes.join('\n'), /completed the switch to v2-b/)
})

t.test('recovery: killed as the switch began, before its nginx file moved: the old activation serves again', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting', { switching: 't' })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: active('v1-a'), nginxPlaced: [], current: 'v1' }))
  t.equal(p.live?.token, 'v1-a')
  t.equal(p.liveFrom, 'active.json')
  t.equal(p.writeRecord?.state, 'switched')
  t.notOk(p.reloadNginx)
  t.same(p.remove.map((r) => [r.token, r.why]), [['v2-b', 'it never switched: the deploy that started it was interrupted']])
  t.match(p.notes.join('\n'), /v1-a \(v1\) serves again/)
})

t.test('recovery: killed after active.json, before the record was marked switched', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting', { switching: 't' })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: active('v2-b'), nginxPlaced: ['v2-b'], current: 'v2' }))
  t.equal(p.live?.token, 'v2-b')
  t.notOk(p.writeActive)
  t.equal(p.writeRecord?.state, 'switched')
  t.notOk(p.reloadNginx)
})

t.test('recovery: an empty or damaged active.json is rebuilt from an interrupted switch, the journal or the vassal files', async (t) => {
  const fromSwitch = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting', { switching: 't' })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: { state: 'damaged', why: 'empty' }, nginxPlaced: ['v2-b'], current: 'v1' }))
  t.equal(fromSwitch.writeActive?.token, 'v2-b')
  t.match(fromSwitch.notes.join('\n'), /apps\/a\/active\.json was unreadable \(empty\): rebuilt from the journal record of the interrupted switch \(v2-b\)/)

  const steady = planRecovery('a', input({ records: [rec('v1-a', 'switched')], vassals: ['a@v1-a@web.1.ini'], active: { state: 'damaged', why: 'empty' } }))
  t.equal(steady.writeActive?.token, 'v1-a')
  t.match(steady.notes[0], /^apps\/a\/active\.json was unreadable \(empty\): rebuilt from the activation journal \(v1-a\)/)
  t.notOk(steady.reloadNginx)

  const fromJournal = planRecovery('a', input({ records: [rec('v1-a', 'switched'), rec('v1-b', 'switched')], vassals: ['a@v1-a@web.1.ini', 'a@v1-b@web.1.ini'], active: { state: 'damaged', why: 'not valid JSON' } }))
  t.equal(fromJournal.writeActive?.token, 'v1-b', 'the newest switched one (tokens end in base-36 time)')
  t.same(fromJournal.remove.map((r) => r.token), ['v1-a'])

  const fromVassals = planRecovery('a', input({ vassals: ['a@v1-k0@web.1.ini', 'a@v1-k9@web.1.ini', 'a@v1-k9@worker.1.ini'], active: { state: 'missing' }, portsOf: () => ({ web: [20005] }) }))
  t.equal(fromVassals.liveFrom, 'vassals')
  t.same(fromVassals.writeActive, { release: 'v1', token: 'v1-k9', ports: { web: [20005] }, started: fromVassals.writeActive?.started })
  t.equal(fromVassals.writeRecord?.state, 'switched', 'a record is made for it')
  t.same(fromVassals.remove.map((r) => r.token), ['v1-k0'])
})

t.test('recovery: the first deploy killed before the switch: nothing serves, nothing is left', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'starting')], vassals: ['a@v1-a@web.1.ini'], runDirs: ['v1-a'], current: undefined }))
  t.equal(p.live, undefined)
  t.same(p.remove.map((r) => r.token), ['v1-a'])
})

t.test('recovery: a stopped app keeps nothing; a damaged active.json with nothing serving is removed', async (t) => {
  const stopped = planRecovery('a', input({ records: [rec('v1-a', 'switched')], vassals: ['a@v1-a@web.1.ini'], active: active('v1-a'), stopped: true }))
  t.equal(stopped.live, undefined)
  t.same(stopped.remove.map((r) => r.why), ['the app is stopped'])
  const damaged = planRecovery('a', input({ active: { state: 'damaged', why: 'empty' } }))
  t.ok(damaged.removeActive)
})

t.test('recovery: damaged journal records and unrecorded vassals are orphans; a static-only app stays live', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v2-b', 'switched')], damagedRecords: ['v1-x'], vassals: ['a@v2-b@web.1.ini', 'a@v1-x@web.1.ini', 'a@v0-y@web.1.ini'], active: active('v2-b'), current: 'v2' }))
  t.same(p.remove.map((r) => [r.token, r.why]).sort(), [
    ['v0-y', 'it has no journal record (left by an interrupted deploy or an older toolkit)'],
    ['v1-x', 'its journal record was unreadable'],
  ])
  const statics = planRecovery('a', input({ active: { state: 'ok', value: { release: 'v1', token: 'v1-s', ports: {}, started: 's' } } }))
  t.equal(statics.live?.token, 'v1-s')
  t.equal(statics.writeRecord?.state, 'switched')
})

t.test('readNginxPlaced: a switch that began and whose nginx file left the activation folder', async (t) => {
  const root = t.testdir({ apps: { a: { run: { 'v2-b': {}, 'v3-c': { 'nginx.conf': 'server {}\n' } } } } })
  process.env.PIKU_ROOT = root
  t.teardown(() => delete process.env.PIKU_ROOT)
  const records = [rec('v1-a', 'switched', { switching: 't' }), rec('v2-b', 'starting', { switching: 't' }), rec('v3-c', 'starting', { switching: 't' }), rec('v4-d', 'starting')] as ActivationRecord[]
  t.same(readNginxPlaced('a', records), ['v2-b'], 'v3-c still holds its nginx file, v4-d never began its switch, v1-a finished it')
})

t.test('removeActivation: vassal files, then the activation folder, then the record; others untouched', async (t) => {
  const root = t.testdir({
    uwsgi: { vassals: { 'a@v1-a@web.1.ini': '', 'a@v2-b@web.1.ini': '', 'a@v2-b@worker.1.ini': '', 'ab@v2-b@web.1.ini': '' } },
    apps: { a: { run: { 'v1-a': { 'web.1.sh': '' }, 'v2-b': { 'web.1.sh': '', 'nginx.conf': '' } } } },
  })
  process.env.PIKU_ROOT = root
  t.teardown(() => delete process.env.PIKU_ROOT)
  writeRecord({ app: 'a', token: 'v2-b', release: 'v2', ports: {}, vassals: [], state: 'abandoned', started: 's' })
  t.equal(removeActivation('a', 'v2-b'), 2)
  t.same(readJournal('a').records, [])
  t.notOk(existsSync(join(root, 'apps', 'a', 'run', 'v2-b')))
  t.ok(existsSync(join(root, 'apps', 'a', 'run', 'v1-a', 'web.1.sh')))
  t.ok(existsSync(join(root, 'uwsgi', 'vassals', 'a@v1-a@web.1.ini')))
  t.ok(existsSync(join(root, 'uwsgi', 'vassals', 'ab@v2-b@web.1.ini')), "another app's files stay")
  t.equal(removeActivation('a', 'v9-z'), 0, 'an activation that is gone already: nothing to do')
})

t.test('journal records: an unversioned plan copy is read as format 1; a copy of an unknown version is dropped, the record kept', async (t) => {
  const root = t.testdir({ apps: { a: { activations: {} } } })
  process.env.PIKU_ROOT = root
  t.teardown(() => delete process.env.PIKU_ROOT)
  const dir = join(root, 'apps', 'a', 'activations')
  const base = { app: 'a', release: 'v1', ports: {}, vassals: [], state: 'switched', started: 's' }
  writeFileSync(join(dir, 'v1-a.json'), JSON.stringify({ ...base, token: 'v1-a', plan: { app: 'a', id: 'v1', processes: [] } }))
  writeFileSync(join(dir, 'v1-b.json'), JSON.stringify({ ...base, token: 'v1-b', plan: { format: 'piku-hooks-plan', version: 99, processes: [] } }))
  writeFileSync(join(dir, 'v1-c.json'), JSON.stringify({ ...base, token: 'v1-other' }))
  t.match(readRecord('a', 'v1-a')?.plan, { format: 'piku-hooks-plan', version: 1, id: 'v1' })
  t.equal(readRecord('a', 'v1-b')?.token, 'v1-b')
  t.notOk(readRecord('a', 'v1-b')?.plan)
  t.same(readJournal('a').damaged, ['v1-c'], 'a record naming another token is damaged')
})

t.test('journal files: written whole, moved through states, removed', async (t) => {
  const root = t.testdir({ apps: { a: {} } })
  process.env.PIKU_ROOT = root
  t.teardown(() => delete process.env.PIKU_ROOT)
  const r: ActivationRecord = { app: 'a', token: 'v1-a', release: 'v1', ports: { web: [1] }, vassals: ['a@v1-a@web.1.ini'], state: 'starting', owner: { pid: 1 }, started: 's' }
  writeRecord(r)
  t.same(readJournal('a').records, [r])
  markRecord('a', 'v1-a', 'switched')
  const now = readJournal('a').records[0]
  t.equal(now.state, 'switched')
  t.notOk('owner' in now, 'a switched record has no owner')
  t.equal(liveFromJournal('a', 'v1')?.token, 'v1-a')
  t.equal(liveFromJournal('a', 'v2'), undefined)
  const f = join(root, 'apps', 'a', 'activations', 'v1-a.json')
  t.equal(JSON.parse(readFileSync(f, 'utf8')).token, 'v1-a')
  removeRecord('a', 'v1-a')
  t.notOk(existsSync(f))
  markRecord('a', 'v1-a', 'retiring')
  t.notOk(existsSync(f), 'marking a missing record does not create it')
})
