// no-follow: a log the toolkit appends to in a folder an app writes (logs/APP) never follows a link planted there.
import { closeSync, lstatSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openAppendNoFollow } from '../../lib/host/run.js'

t.test('openAppendNoFollow: a planted link is removed, its target untouched', async (t) => {
  const dir = t.testdir({ 'keys': 'secret\n' })
  const log = join(dir, 'watch.log')
  symlinkSync(join(dir, 'keys'), log)
  const fd = openAppendNoFollow(log)
  writeSync(fd, 'line\n')
  closeSync(fd)
  t.equal(readFileSync(join(dir, 'keys'), 'utf8'), 'secret\n', 'the link target is untouched')
  t.ok(lstatSync(log).isFile(), 'the log is a plain file now')
  t.equal(readFileSync(log, 'utf8'), 'line\n')
  writeFileSync(log, 'a\n')
  const again = openAppendNoFollow(log)
  writeSync(again, 'b\n')
  closeSync(again)
  t.equal(readFileSync(log, 'utf8'), 'a\nb\n', 'a plain file is appended to')
})

t.test('findLinksInto and findLinksOut: pushed links into the home, or out of a static folder\'s release, are named', async (t) => {
  const { findLinksInto, findLinksOut } = await import('../../lib/host/sandbox.js')
  const home = t.testdir({ config: { b: { ENV: 'SECRET=1\n' } }, apps: { a: { releases: { v1: { public: { 'ok.txt': 'ok' }, 'Procfile': 'web: x\n' } } } } })
  const rel = join(home, 'apps', 'a', 'releases', 'v1')
  symlinkSync(join(home, 'config', 'b', 'ENV'), join(rel, 'ENV'))
  symlinkSync('../../../../config/b/NOT-YET', join(rel, 'public', 'later'))
  symlinkSync('ok.txt', join(rel, 'public', 'inside'))
  symlinkSync('/usr/share', join(rel, 'public', 'system'))
  t.same(findLinksInto(rel, home), ['ENV', 'public/later'], 'into the home, by target or by text (a dangling one too)')
  t.same(findLinksOut(join(rel, 'public'), rel), ['public/later', 'public/system'], 'out of the release, or nowhere')
})
