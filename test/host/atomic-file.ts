// tests: the one atomic writer: whole files with their mode, no temp file left, validate before the swap,
// create-only-if-absent in one step, symlink swaps, durable appends, and a full disk named in one line.
import t from 'tap'
import { chmodSync, readFileSync, readdirSync, statSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic, writeFileAtomicPrepared, createFileAtomic, swapSymlink, appendDurable, DiskFullError, isDiskFull, removeDeadTemps, tempWriter } from '../../lib/host/atomic-file.js'

t.test('writeFileAtomic: the new content with its mode, nothing beside it', async (t) => {
  const dir = t.testdir({ 'a.json': 'old' })
  writeFileAtomic(join(dir, 'a.json'), 'new\n', 0o640)
  t.equal(readFileSync(join(dir, 'a.json'), 'utf8'), 'new\n')
  t.equal(statSync(join(dir, 'a.json')).mode & 0o777, 0o640)
  t.same(readdirSync(dir), ['a.json'])
  writeFileAtomic(join(dir, 'sub', 'b'), 'x')
  t.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), 'x', 'the folder is made')
})

t.test('writeFileAtomic: a failed validation leaves the old file and no temp file', async (t) => {
  const dir = t.testdir({ 'a.conf': 'old' })
  t.throws(() => writeFileAtomic(join(dir, 'a.conf'), 'bad', 0o600, { validate: () => { throw new Error('rejected') } }), /rejected/)
  t.equal(readFileSync(join(dir, 'a.conf'), 'utf8'), 'old')
  t.same(readdirSync(dir), ['a.conf'])
})

t.test('writeFileAtomicPrepared: an async step on the temp file before the swap; its failure keeps the old file', async (t) => {
  const dir = t.testdir({ 'a.htpasswd': 'old' })
  const file = join(dir, 'a.htpasswd')
  await writeFileAtomicPrepared(file, 'new', 0o600, async (tmp) => {
    t.equal(readFileSync(file, 'utf8'), 'old', 'the target is untouched while the step runs')
    chmodSync(tmp, 0o640)
  })
  t.equal(readFileSync(file, 'utf8'), 'new')
  t.equal(statSync(file).mode & 0o777, 0o640, 'what the step did to the temp file is what lands')
  await t.rejects(writeFileAtomicPrepared(file, 'bad', 0o600, async () => { throw new Error('setfacl failed') }), /setfacl failed/)
  t.equal(readFileSync(file, 'utf8'), 'new')
  t.same(readdirSync(dir), ['a.htpasswd'], 'no temp file is left')
})

t.test('createFileAtomic: only when absent, whole', async (t) => {
  const dir = t.testdir({})
  t.ok(createFileAtomic(join(dir, 'l'), '{"pid":1}'))
  t.notOk(createFileAtomic(join(dir, 'l'), '{"pid":2}'))
  t.equal(readFileSync(join(dir, 'l'), 'utf8'), '{"pid":1}')
  t.same(readdirSync(dir), ['l'])
})

t.test('swapSymlink and appendDurable', async (t) => {
  const dir = t.testdir({})
  swapSymlink(join(dir, 'current'), 'releases/v1')
  swapSymlink(join(dir, 'current'), 'releases/v2')
  t.equal(readlinkSync(join(dir, 'current')), 'releases/v2')
  appendDurable(join(dir, 'h.jsonl'), '1\n')
  appendDurable(join(dir, 'h.jsonl'), '2\n')
  t.equal(readFileSync(join(dir, 'h.jsonl'), 'utf8'), '1\n2\n')
  t.same(readdirSync(dir).sort(), ['current', 'h.jsonl'])
})

t.test('DiskFullError: one line naming the full filesystem', async (t) => {
  t.ok(isDiskFull(Object.assign(new Error('x'), { code: 'ENOSPC' })))
  t.ok(isDiskFull(Object.assign(new Error('x'), { code: 'EDQUOT' })))
  t.notOk(isDiskFull(new Error('x')))
  const e = new DiskFullError('/h/deps/a/node-1', undefined, 'npm install failed')
  t.equal(e.message, 'npm install failed: the filesystem of /h/deps/a/node-1 is full; the running release, repo and config are unchanged (free some space, then try again)')
  t.notMatch(new DiskFullError('/h/apps/a/active.json').message, /\n/)
})

t.test('removeDeadTemps: a killed writer\'s temp file goes, a live one and other files stay', async (t) => {
  const dir = t.testdir({
    '.active.json.999999.abc123.tmp': 'half',
    [`.state.json.${process.pid}.zz9.tmp`]: 'mine',
    'active.json': '{}',
    '.hidden': 'x',
  })
  t.equal(tempWriter('.active.json.999999.abc123.tmp'), 999999)
  t.equal(tempWriter('active.json'), undefined)
  t.same(removeDeadTemps(dir), ['.active.json.999999.abc123.tmp'])
  t.same(readdirSync(dir).sort(), [`.state.json.${process.pid}.zz9.tmp`, '.hidden', 'active.json'].sort())
  t.same(removeDeadTemps(join(dir, 'missing')), [])
})
