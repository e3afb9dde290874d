// tests: the activation journal's recovery planner (which activation serves, what an interrupted deploy left,
// what is rebuilt), and the journal files themselves.
import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { planRecovery, tokenRelease, readJournal, writeRecord, markRecord, removeRecord, liveFromJournal, type ActivationRecord, type RecoveryInput } from '../../lib/state/activations.js'
import { parseNginxToken } from '../../lib/deploy/recover.js'

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
const input = (extra: Partial<RecoveryInput>): RecoveryInput => ({ records: [], damagedRecords: [], vassals: [], runDirs: [], active: { state: 'missing' }, current: 'v1', stopped: false, ...extra })
const active = (token: string) => ({ state: 'ok' as const, value: { release: tokenRelease(token)!, token, ports: { web: [20001] }, started: 's' } })

t.test('recovery: nothing to do on a healthy app', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'switched')], vassals: ['a@v1-a@web.1.ini'], active: active('v1-a'), nginxToken: 'v1-a', runDirs: ['v1-a'] }))
  t.equal(p.live?.token, 'v1-a')
  t.same(p.remove, [])
  t.same(p.notes, [])
  t.notOk(p.writeActive)
  t.notOk(p.writeRecord)
})

t.test('recovery: a deploy killed after its workers started: its activation is removed, the old one serves', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'switched'), rec('v2-b', 'starting')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v2-b@worker.1.ini'], active: active('v1-a'), nginxToken: 'v1-a', runDirs: ['v1-a', 'v2-b'] }))
  t.equal(p.live?.token, 'v1-a')
  t.same(p.remove.map((r) => [r.token, r.vassals.length]), [['v2-b', 2]])
  t.match(p.notes[0], /removed activation v2-b and its 2 worker\(s\): it never switched/)
  t.same(p.remove.flatMap((r) => r.vassals), ['a@v2-b@web.1.ini', 'a@v2-b@worker.1.ini'])
})

t.test('recovery: a deploy still running (its owner alive) is left alone, and so is a draining activation', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring', { ownerAlive: true, owner: { pid: 9 } }), rec('v2-b', 'switched'), rec('v3-c', 'starting', { ownerAlive: true, owner: { pid: 8 } })], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v3-c@web.1.ini'], active: active('v2-b'), nginxToken: 'v2-b', current: 'v2' }))
  t.same(p.remove, [])
  t.same(p.keep.map((k) => k.token).sort(), ['v1-a', 'v3-c'])
})

t.test('recovery: a retiring activation whose watcher died is removed; an abandoned one too', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'switched'), rec('v3-c', 'abandoned')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini', 'a@v3-c@web.1.ini'], active: active('v2-b'), nginxToken: 'v2-b', current: 'v2' }))
  t.same(p.remove.map((r) => r.token).sort(), ['v1-a', 'v3-c'])
  t.match(p.remove.find((r) => r.token === 'v1-a')!.why, /replaced/)
})

t.test('recovery: killed after nginx switched but before active.json: the switch is completed', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: active('v1-a'), nginxToken: 'v2-b', current: 'v1' }))
  t.equal(p.live?.token, 'v2-b')
  t.equal(p.liveFrom, 'nginx')
  t.equal(p.writeRecord?.state, 'switched')
  t.equal(p.writeActive?.token, 'v2-b')
  t.equal(p.setCurrent, 'v2')
  t.ok(p.reloadNginx, 'nginx may not have loaded the renamed file')
  t.same(p.remove.map((r) => r.token), ['v1-a'])
  t.match(p.notes.join('\n'), /completed the switch to v2-b/)
})

t.test('recovery: killed after active.json, before the record was marked switched', async (t) => {
  const p = planRecovery('a', input({ records: [rec('v1-a', 'retiring'), rec('v2-b', 'starting')], vassals: ['a@v1-a@web.1.ini', 'a@v2-b@web.1.ini'], active: active('v2-b'), nginxToken: 'v2-b', current: 'v2' }))
  t.equal(p.live?.token, 'v2-b')
  t.notOk(p.writeActive)
  t.equal(p.writeRecord?.state, 'switched')
  t.notOk(p.reloadNginx)
})

t.test('recovery: an empty or damaged active.json is rebuilt from nginx, the journal or the vassal files', async (t) => {
  const fromNginx = planRecovery('a', input({ records: [rec('v1-a', 'switched')], vassals: ['a@v1-a@web.1.ini'], active: { state: 'damaged', why: 'empty' }, nginxToken: 'v1-a' }))
  t.equal(fromNginx.writeActive?.token, 'v1-a')
  t.match(fromNginx.notes[0], /^apps\/a\/active\.json was unreadable \(empty\): rebuilt from the token nginx serves \(v1-a\)/)
  t.notOk(fromNginx.reloadNginx)

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
  const p = planRecovery('a', input({ records: [rec('v2-b', 'switched')], damagedRecords: ['v1-x'], vassals: ['a@v2-b@web.1.ini', 'a@v1-x@web.1.ini', 'a@v0-y@web.1.ini'], active: active('v2-b'), nginxToken: 'v2-b', current: 'v2' }))
  t.same(p.remove.map((r) => [r.token, r.why]).sort(), [
    ['v0-y', 'it has no journal record (left by an interrupted deploy or an older toolkit)'],
    ['v1-x', 'its journal record was unreadable'],
  ])
  const statics = planRecovery('a', input({ active: { state: 'ok', value: { release: 'v1', token: 'v1-s', ports: {}, started: 's' } } }))
  t.equal(statics.live?.token, 'v1-s')
  t.equal(statics.writeRecord?.state, 'switched')
})

t.test('parseNginxToken: the token the release endpoint answers with', async (t) => {
  t.equal(parseNginxToken('server {\n    location = /.well-known/piku-hooks-release {\n        default_type text/plain;\n        return 200 "v3-lx9\\n";\n    }\n}\n'), 'v3-lx9')
  t.equal(parseNginxToken('server { }'), undefined)
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
