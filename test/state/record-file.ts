// record-file: one read of a JSON record tells missing, valid and damaged (with why) apart; the readers of
// active.json and state.json use it, each with its own validator.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { readRecordFile, writeRecordFile, isRecordObject } from '../../lib/state/record-file.js'
import { readActiveRecord } from '../../lib/state/release.js'
import { readAppState, readAppStateRecord, replaceAppState, writeAppState } from '../../lib/state/app-state.js'

const check = (v: unknown) => (isRecordObject(v) && typeof v.n === 'number' ? { value: v as { n: number } } : { why: 'not a counter' })

t.test('readRecordFile: missing, valid, and damaged with why', async (t) => {
  const dir = t.testdir({ 'ok.json': '{"n":1}', 'empty.json': ' \n', 'bad.json': '{"n"', 'other.json': '{"n":"x"}', 'null.json': 'null', folder: {} })
  t.same(readRecordFile(join(dir, 'none.json'), check), { state: 'missing' })
  t.same(readRecordFile(join(dir, 'none', 'x.json'), check), { state: 'missing' })
  t.same(readRecordFile(join(dir, 'ok.json'), check), { state: 'ok', value: { n: 1 } })
  t.same(readRecordFile(join(dir, 'empty.json'), check), { state: 'damaged', why: 'empty' })
  t.same(readRecordFile(join(dir, 'bad.json'), check), { state: 'damaged', why: 'not valid JSON' })
  t.same(readRecordFile(join(dir, 'other.json'), check), { state: 'damaged', why: 'not a counter' })
  t.same(readRecordFile(join(dir, 'null.json'), check), { state: 'damaged', why: 'not a counter' })
  t.same(readRecordFile(join(dir, 'folder'), check), { state: 'damaged', why: 'EISDIR' })
  writeRecordFile(join(dir, 'new.json'), { n: 2 })
  t.same(readRecordFile(join(dir, 'new.json'), check), { state: 'ok', value: { n: 2 } })
})

t.test('active.json and state.json: one reader each, one definition of valid', async (t) => {
  const root = t.testdir({})
  const before = process.env.PIKU_ROOT
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (before === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = before
  })
  const home = join(root, 'apps', 'web')
  mkdirSync(home, { recursive: true })
  t.same(readActiveRecord('web'), { state: 'missing' })
  for (const [text, why] of [['', 'empty'], ['{', 'not valid JSON'], ['{"token":1}', 'not an activation record'], ['{"token":"v1-a","ports":{}}', 'not an activation record'], ['{"token":"v1-a","release":"v1"}', 'not an activation record']]) {
    writeFileSync(join(home, 'active.json'), text)
    t.same(readActiveRecord('web'), { state: 'damaged', why }, JSON.stringify(text))
  }
  writeFileSync(join(home, 'active.json'), '{"token":"v1-a","release":"v1","ports":{"web":[5000]},"started":"s"}')
  t.same(readActiveRecord('web'), { state: 'ok', value: { token: 'v1-a', release: 'v1', ports: { web: [5000] }, started: 's' } })

  const config = join(root, 'config', 'web')
  mkdirSync(config, { recursive: true })
  t.same(readAppStateRecord('web'), { state: 'missing' })
  t.same(writeAppState('web', { stopped: true }), { stopped: true })
  t.same(readAppState('web'), { stopped: true })
  writeFileSync(join(config, 'state.json'), '"x"')
  t.same(readAppStateRecord('web'), { state: 'damaged', why: 'not an object' })
  t.same(readAppState('web'), {}, 'a damaged state reads as no flags')
  replaceAppState('web', { stopped: true })
  t.same(readAppState('web'), { stopped: true })
  replaceAppState('web', {})
  t.same(readAppStateRecord('web'), { state: 'missing' }, 'an empty state removes the file')
})

t.test('history and certificate state: one reader each, damaged lines and files not taken for records', async (t) => {
  const root = t.testdir({ apps: { web: {} }, certs: { web: {} } })
  const before = process.env.PIKU_ROOT
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (before === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = before
  })
  const { appendHistory, readHistory } = await import('../../lib/state/release.js')
  const { readCertState, writeCertState } = await import('../../lib/state/certs.js')
  appendHistory('web', { id: 'v1', sha: 'a', time: 't', key: 'k', reason: 'push', outcome: 'live' })
  writeFileSync(join(root, 'apps', 'web', 'history.jsonl'), '{"half\n7\n{"id":2}\n', { flag: 'a' })
  appendHistory('web', { id: 'v2', sha: 'b', time: 't', key: 'k', reason: 'push', outcome: 'failed' })
  t.same(readHistory('web').map((e) => e.id), ['v1', 'v2'], 'lines that are not history entries are skipped')

  t.equal(readCertState('web'), undefined)
  writeCertState('web', { kind: 'self-signed', names: ['web.test'] })
  t.same(readCertState('web'), { kind: 'self-signed', names: ['web.test'] })
  writeFileSync(join(root, 'certs', 'web', 'state.json'), '{"names":[]}')
  t.equal(readCertState('web'), undefined, 'no kind: not a certificate state')
})
