// tests: locks: the pure staleness decision, and real lock files (created whole, stale owners replaced,
// a live owner's lock left alone, an unreadable lock held while young).
import t from 'tap'
import { readFileSync, utimesSync, writeFileSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { planLockState, parseLock, acquireLock, releaseLock, tryLock, readLock, processStart, readBootId, ownerAlive, UNREADABLE_GRACE_MS, type LockInfo } from '../../lib/state/lock.js'

const info = (extra: Partial<LockInfo> = {}): LockInfo => ({ pid: 4242, what: 'deploy', since: '2026-01-01T00:00:00Z', boot: 'boot-a', start: 1000, ...extra })

t.test('planLockState: held while the same process of the same boot runs', async (t) => {
  t.same(planLockState(info(), { bootId: 'boot-a', ownerStart: 1000, ageMs: 60_000 }), { state: 'held', info: info() })
  t.same(planLockState(info({ start: undefined, boot: undefined }), { bootId: 'boot-a', ownerStart: 77, ageMs: 1 }).state, 'held', 'an older lock without start or boot: the pid alone')
})

t.test('planLockState: stale when the owner is gone, the pid was reused, or the boot changed', async (t) => {
  t.same(planLockState(info(), { bootId: 'boot-a', ownerStart: undefined, ageMs: 1 }), { state: 'stale', why: 'owner 4242 is gone' })
  t.same(planLockState(info(), { bootId: 'boot-a', ownerStart: 2000, ageMs: 1 }), { state: 'stale', why: 'pid 4242 now belongs to another process' })
  t.same(planLockState(info(), { bootId: 'boot-b', ownerStart: 1000, ageMs: 1 }), { state: 'stale', why: 'taken before this boot' }, 'same pid and start after a reboot')
})

t.test('planLockState: an unreadable lock is held while young, then stale', async (t) => {
  t.same(planLockState(undefined, { bootId: 'b', ownerStart: undefined, ageMs: 10 }), { state: 'young-unreadable' })
  t.same(planLockState(undefined, { bootId: 'b', ownerStart: undefined, ageMs: UNREADABLE_GRACE_MS + 1 }), { state: 'stale', why: 'unreadable' })
  t.same(planLockState({ pid: -3, what: '', since: '' }, { bootId: 'b', ownerStart: 5, ageMs: UNREADABLE_GRACE_MS + 1 }).state, 'stale')
})

t.test('parseLock: records only', async (t) => {
  t.equal(parseLock(''), undefined)
  t.equal(parseLock('{"pid":'), undefined)
  t.equal(parseLock('null'), undefined)
  t.same(parseLock('{"pid":3,"what":"x","since":"s"}'), { pid: 3, what: 'x', since: 's' })
})

t.test('lock files: created whole with owner, start time and boot; released by the owner only', async (t) => {
  const dir = t.testdir({})
  const lock = join(dir, 'run', 'a.lock')
  await acquireLock(lock, process.pid, 'deploy', 1000)
  const held = JSON.parse(readFileSync(lock, 'utf8'))
  t.equal(held.pid, process.pid)
  t.equal(held.start, processStart(process.pid))
  t.equal(held.boot, readBootId())
  t.same(readdirSync(join(dir, 'run')), ['a.lock'], 'no temp file left beside it')
  t.notOk(tryLock(lock, 1, 'other'), 'a live owner keeps it')
  await t.rejects(acquireLock(lock, 1, 'other', 300), /another deploy is still running/)
  releaseLock(lock, 1)
  t.ok(existsSync(lock), 'not released by someone else')
  releaseLock(lock, process.pid)
  t.notOk(existsSync(lock))
})

t.test('lock files: a dead owner, a reused pid and an earlier boot are taken over', async (t) => {
  const dir = t.testdir({})
  const lock = join(dir, 'a.lock')
  const me = { pid: process.pid, start: processStart(process.pid), boot: readBootId() }
  for (const stale of [
    { pid: 2 ** 22 + 17, what: 'deploy', since: 'x' }, // no such pid
    { ...me, start: (me.start ?? 0) + 1, what: 'deploy', since: 'x' }, // our pid, another start time
    { ...me, boot: 'an-earlier-boot', what: 'deploy', since: 'x' },
  ]) {
    writeFileSync(lock, JSON.stringify(stale))
    t.ok(tryLock(lock, process.pid, 'mine'), `stale: ${JSON.stringify(stale).slice(0, 60)}`)
    t.equal(readLock(lock)?.what, 'mine')
    releaseLock(lock, process.pid)
  }
})

t.test('lock files: an unreadable lock is not taken while young', async (t) => {
  const dir = t.testdir({})
  const lock = join(dir, 'a.lock')
  writeFileSync(lock, '')
  t.notOk(tryLock(lock, process.pid, 'mine'), 'an empty lock just created may be being written')
  t.ok(existsSync(lock))
  const old = (Date.now() - UNREADABLE_GRACE_MS - 1000) / 1000
  utimesSync(lock, old, old)
  t.ok(tryLock(lock, process.pid, 'mine'), 'an old unreadable lock is stale')
  releaseLock(lock, process.pid)
})

t.test('ownerAlive: this process yes, a made-up start time no', async (t) => {
  t.ok(ownerAlive({ pid: process.pid, start: processStart(process.pid), boot: readBootId() }))
  t.notOk(ownerAlive({ pid: process.pid, start: 1, boot: readBootId() }))
  t.notOk(ownerAlive(undefined))
})
