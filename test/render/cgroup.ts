// render/cgroup: the exec-asap script that moves a vassal into its capped group, run for real in a folder
// standing in for the cgroup (the script only makes folders and writes files).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderGroupJoin, renderMemoryScript } from '../../lib/render/cgroup.js'

t.snapshotFile = new URL('../fixtures/snapshots/render/cgroup.cjs', import.meta.url).pathname

const g = { dir: '/sys/fs/cgroup/memory/piku-hooks-piku/demo@v3-abc@worker.1', version: 1 as const, bytes: 100663296, label: '96M (PIKU_MEMORY_MAX_WORKER=96M)' }

t.test('renderMemoryScript: v1 and v2 scripts, whole', async (t) => {
  const v1 = renderMemoryScript('demo worker.1', g)
  t.match(v1, /^#!\/bin\/sh\n/)
  t.match(v1, /echo 100663296 >"\$cg\/memory\.limit_in_bytes" && echo "\$PPID" >"\$cg\/cgroup\.procs"/)
  t.match(v1, /\nexit 0\n$/, 'never fails: uwsgi would not start the worker')
  t.matchSnapshot(v1, 'v1')
  const v2 = renderMemoryScript('demo worker.1', { ...g, version: 2, dir: '/sys/fs/cgroup/piku-hooks-piku/demo@v3-abc@worker.1' })
  t.match(v2, /echo 100663296 >"\$cg\/memory\.max"/)
  t.match(v2, /memory\.swap\.max/)
  t.matchSnapshot(v2, 'v2')
})

t.test('renderGroupJoin: refuses a path that would need quoting or leaves its folder', async (t) => {
  t.throws(() => renderGroupJoin({ ...g, dir: "/sys/fs/cgroup/x'y" }))
  t.throws(() => renderGroupJoin({ ...g, dir: '/sys/fs/cgroup/a b' }))
  t.throws(() => renderGroupJoin({ ...g, dir: '/sys/fs/cgroup/../etc' }))
  t.throws(() => renderGroupJoin({ ...g, dir: 'relative/x' }))
})

t.test('renderMemoryScript: makes the group when it is gone, caps it, joins the parent; says so when it cannot', async (t) => {
  const root = t.testdir({})
  const dir = join(root, 'demo@v3-abc@worker.1')
  const script = join(root, 'join.sh')
  writeFileSync(script, renderMemoryScript('demo worker.1', { ...g, dir }), { mode: 0o700 })
  // the folder stands in for a v1 group: the optional memsw file is written only where it exists
  const lint = spawnSync('shellcheck', ['-s', 'sh', script], { encoding: 'utf8' })
  if (!lint.error) t.equal(lint.status, 0, `shellcheck: ${lint.stdout}`)
  const first = spawnSync('/bin/sh', [script], { encoding: 'utf8' })
  t.equal(first.status, 0)
  t.equal(first.stderr, '')
  t.equal(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8'), '100663296\n')
  t.equal(readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim(), String(process.pid), 'the parent (the vassal master) joins')
  t.notOk(existsSync(join(dir, 'memory.memsw.limit_in_bytes')))
  writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), '')
  t.equal(spawnSync('/bin/sh', [script]).status, 0)
  t.equal(readFileSync(join(dir, 'memory.memsw.limit_in_bytes'), 'utf8'), '100663296\n', 'and then swap too')

  const blocked = join(root, 'blocked')
  mkdirSync(blocked)
  mkdirSync(join(blocked, 'memory.limit_in_bytes')) // a write that fails
  writeFileSync(script, renderMemoryScript('demo worker.1', { ...g, dir: blocked }))
  const failed = spawnSync('/bin/sh', [script], { encoding: 'utf8' })
  t.equal(failed.status, 0, 'the worker still starts')
  t.match(failed.stderr, /^piku-hooks: memory cap 96M \(PIKU_MEMORY_MAX_WORKER=96M\) NOT enforced: cannot join .*blocked$/m)
})
