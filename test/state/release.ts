// release: release ids, plans, the activation record, history, the `current` switch and pruning, on a
// real folder (PIKU_ROOT).
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { appendHistory, currentRelease, listReleases, nextReleaseId, pruneReleases, readActive, readHistory, readPlan, switchCurrent, writeActive, writePlan, type ReleasePlan } from '../../lib/state/release.js'
import { pickRollbackTarget } from '../../lib/verbs/rollback.js'
import { planToFile } from '../../lib/state/plan-file.js'

function host(t: Test): string {
  const root = t.testdir({})
  const before = process.env.PIKU_ROOT
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (before === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = before
  })
  return root
}

function release(root: string, id: string): void {
  const rel = join(root, 'apps', 'web', 'releases')
  mkdirSync(join(rel, id), { recursive: true })
  writePlan({ app: 'web', id, sha: 'a'.repeat(40), processes: [] } as unknown as ReleasePlan)
}

t.test('release: ids only grow, failed attempts and pruned releases included', async (t) => {
  const root = host(t)
  t.equal(nextReleaseId('web'), 'v1')
  release(root, 'v1')
  release(root, 'v2')
  t.equal(nextReleaseId('web'), 'v3')
  appendHistory('web', { id: 'v7', sha: 'b', time: 't', key: 'k', reason: 'push', outcome: 'failed' } as never)
  t.equal(nextReleaseId('web'), 'v8')
  writeFileSync(join(root, 'apps', 'web', 'history.jsonl'), 'not json\n', { flag: 'a' })
  t.equal(readHistory('web').length, 1, 'a damaged history line is skipped')
})

t.test('release: plans, the activation record and the current link', async (t) => {
  const root = host(t)
  release(root, 'v1')
  release(root, 'v2')
  mkdirSync(join(root, 'apps', 'web', 'releases', 'v3')) // no plan: not a release
  t.same(listReleases('web'), ['v2', 'v1'])
  t.ok(existsSync(join(root, 'apps', 'web', 'releases', 'v2.json')), 'the plan is written beside its folder')
  t.equal(readPlan('web', 'v9'), undefined)
  t.equal(currentRelease('web'), undefined)
  switchCurrent('web', 'v1')
  switchCurrent('web', 'v2')
  t.equal(readlinkSync(join(root, 'apps', 'web', 'current')), 'releases/v2', 'a relative link, switched by rename')
  t.equal(currentRelease('web'), 'v2')
  t.equal(readActive('web'), undefined)
  writeActive('web', { release: 'v2', token: 'v2-x', ports: { web: [20001] } } as never)
  t.match(readActive('web'), { release: 'v2', token: 'v2-x' })
  writeActive('web', undefined)
  t.notOk(existsSync(join(root, 'apps', 'web', 'active.json')))
})

t.test('release: pruning keeps the newest and the live one, and drops folders without a plan', async (t) => {
  const root = host(t)
  for (const id of ['v1', 'v2', 'v3', 'v4']) release(root, id)
  mkdirSync(join(root, 'apps', 'web', 'releases', 'v9'))
  switchCurrent('web', 'v1')
  t.same(pruneReleases('web', 2), ['v2'])
  t.same(listReleases('web'), ['v4', 'v3', 'v1'])
  t.notOk(existsSync(join(root, 'apps', 'web', 'releases', 'v9')))
  t.notOk(existsSync(join(root, 'apps', 'web', 'releases', 'v2.json')))
  t.ok(readFileSync(join(root, 'apps', 'web', 'releases', 'v1.json'), 'utf8'))
})

t.test('rollback target: the newest release older than the live one, or the one asked for', async (t) => {
  const kept = ['v5', 'v4', 'v2']
  t.equal(pickRollbackTarget(kept, 'v5'), 'v4')
  t.equal(pickRollbackTarget(kept, 'v4'), 'v2')
  t.equal(pickRollbackTarget(kept, undefined), 'v5', 'nothing live: the newest')
  t.throws(() => pickRollbackTarget(kept, 'v2'), /no earlier release/)
  t.equal(pickRollbackTarget(kept, 'v2', 'v5'), 'v5', 'forward to a newer one when named')
  t.throws(() => pickRollbackTarget(kept, 'v5', 'v5'), /already live/)
  t.throws(() => pickRollbackTarget(kept, 'v5', 'v3'), /not kept any more/)
  t.throws(() => pickRollbackTarget(kept, 'v5', '../x'), /is not a release id/)
})

t.test('readPlan and readActive: a damaged or empty file is read from the activation journal, a missing one is not there', async (t) => {
  const root = host(t)
  const { writeRecord } = await import('../../lib/state/activations.js')
  t.equal(readPlan('web', 'v1'), undefined, 'no plan file: no plan')
  t.equal(readActive('web'), undefined, 'no active.json: not running')
  release(root, 'v1')
  switchCurrent('web', 'v1')
  const plan = readPlan('web', 'v1')!
  writeRecord({ app: 'web', token: 'v1-abc', release: 'v1', ports: { web: [5000] }, vassals: [], state: 'switched', started: 'then', plan: planToFile(plan) })
  const rel = join(root, 'apps', 'web', 'releases')
  writeFileSync(join(rel, 'v1.json'), '{"half')
  t.same(readPlan('web', 'v1'), plan, 'damaged: the journal copy')
  writeFileSync(join(rel, 'v1.json'), '\n')
  t.same(readPlan('web', 'v1'), plan, 'empty: the journal copy')
  writeFileSync(join(rel, 'v1.json'), '{"processes":"no"}')
  t.same(readPlan('web', 'v1'), plan, 'not a plan: the journal copy')
  t.equal(readPlan('web', 'v2'), undefined)
  writeFileSync(join(rel, 'v2.json'), '{')
  t.equal(readPlan('web', 'v2'), undefined, 'damaged with no copy: undefined')

  writeActive('web', { release: 'v1', token: 'v1-abc', ports: { web: [5000] }, started: 'then' })
  t.equal(readActive('web')?.token, 'v1-abc')
  writeFileSync(join(root, 'apps', 'web', 'active.json'), '{"token":1}')
  t.same(readActive('web'), { release: 'v1', token: 'v1-abc', ports: { web: [5000] }, started: 'then' }, 'damaged: the live record of the journal')
})
