// host/cgroups: the subtree set-up, the user-side checks, groups made, read and removed, in real folders that
// stand in for a cgroup mount (cgroupfs makes its files itself; here they are written as a kernel would).
import t from 'tap'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { listGroups, prepareGroup, probeSubtree, readCgroupHostFacts, readGroupStats, removeEmptyGroups, setupMemorySubtree } from '../../lib/host/cgroups.js'

const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }

t.test('readCgroupHostFacts: v1 memory hierarchy, v2 controllers, systemd', async (t) => {
  const v1 = t.testdir({ memory: { 'memory.limit_in_bytes': '9223372036854771712\n' } })
  t.same(readCgroupHostFacts(v1, join(v1, 'no-systemd')), { mount: v1, v1Memory: true, v2: false, v2Controllers: [], systemd: false })
  const v2 = t.testdir({ 'cgroup.controllers': 'cpuset cpu io memory pids\n', systemd: {} })
  t.same(readCgroupHostFacts(v2, join(v2, 'systemd')), { mount: v2, v1Memory: false, v2: true, v2Controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'], systemd: true })
})

t.test('setupMemorySubtree: v1 makes the folder and hands it and its cgroup.procs/tasks to the user', async (t) => {
  const mount = t.testdir({ memory: { 'memory.limit_in_bytes': '0' } })
  const facts = readCgroupHostFacts(mount, join(mount, 'none'))
  const plan = setupMemorySubtree('piku', me, facts)
  t.same(plan, { ok: true, version: 1, path: join(mount, 'memory', 'piku-hooks-piku'), by: 'install' })
  t.ok(existsSync(join(mount, 'memory', 'piku-hooks-piku')))
  t.equal(statSync(join(mount, 'memory', 'piku-hooks-piku')).uid, me.uid)
  t.same(setupMemorySubtree('piku', me, facts), plan, 'a second run changes nothing')
})

t.test('setupMemorySubtree: v2 enables memory at the top and in the subtree, and makes the emperor\'s leaf', async (t) => {
  const mount = t.testdir({ 'cgroup.controllers': 'cpu memory\n', 'cgroup.subtree_control': '' })
  const plan = setupMemorySubtree('piku', me, readCgroupHostFacts(mount, join(mount, 'none')))
  t.same(plan, { ok: true, version: 2, path: join(mount, 'piku-hooks-piku'), by: 'install' })
  t.equal(readFileSync(join(mount, 'cgroup.subtree_control'), 'utf8'), '+memory')
  t.equal(readFileSync(join(mount, 'piku-hooks-piku', 'cgroup.subtree_control'), 'utf8'), '+memory')
  t.ok(existsSync(join(mount, 'piku-hooks-piku', 'emperor')))
  const sd = t.testdir({ 'cgroup.controllers': 'memory\n', systemd: {} })
  t.same(setupMemorySubtree('piku', me, readCgroupHostFacts(sd, join(sd, 'systemd'))), { ok: true, version: 2, path: join(sd, 'system.slice', 'piku-hooks-emperor-piku.service'), by: 'systemd' })
  t.notOk(existsSync(join(sd, 'system.slice')), 'systemd makes that one')
  const none = t.testdir({})
  t.equal(setupMemorySubtree('piku', me, readCgroupHostFacts(none, join(none, 'x'))).ok, false)
})

t.test('probeSubtree: usable, or why not', async (t) => {
  t.match(probeSubtree(undefined), { ok: false, reason: /host\.env has no MEMORY_CGROUP/ })
  const root = t.testdir({ v1: { 'memory.limit_in_bytes': '0' }, v2: { 'cgroup.controllers': 'memory', 'cgroup.subtree_control': 'memory\n' }, v2off: { 'cgroup.controllers': 'memory', 'cgroup.subtree_control': '' }, plain: {} })
  t.same(probeSubtree(join(root, 'v1')), { ok: true, version: 1 })
  t.same(probeSubtree(join(root, 'v2')), { ok: true, version: 2 })
  t.match(probeSubtree(join(root, 'gone')), { ok: false, reason: /does not exist .*piku-boot/ })
  t.match(probeSubtree(join(root, 'v2off')), { ok: false, reason: /memory is not enabled in .*cgroup\.subtree_control/ })
  t.match(probeSubtree(join(root, 'plain')), { ok: false, reason: /not in a memory cgroup hierarchy/ })
})

t.test('prepareGroup, readGroupStats, listGroups, removeEmptyGroups', async (t) => {
  const sub = t.testdir({ 'other@v1-a@web.1': {} })
  t.equal(prepareGroup(join(sub, 'demo@v2-b@worker.1'), 1, 100663296), undefined)
  t.equal(readFileSync(join(sub, 'demo@v2-b@worker.1', 'memory.limit_in_bytes'), 'utf8'), '100663296')
  t.notOk(existsSync(join(sub, 'demo@v2-b@worker.1', 'memory.memsw.limit_in_bytes')), 'optional files only where the kernel made them')
  writeFileSync(join(sub, 'demo@v2-b@worker.1', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')
  t.match(readGroupStats(join(sub, 'demo@v2-b@worker.1'), 1), { limit: 100663296, oomKills: 2 })
  t.equal(readGroupStats(join(sub, 'nothing'), 1), undefined)
  mkdirSync(join(sub, 'demo@v1-a@web.1'))
  t.same(listGroups(sub, 'demo@').sort(), ['demo@v1-a@web.1', 'demo@v2-b@worker.1'])
  t.same(listGroups(sub, 'demo@v1-a@'), ['demo@v1-a@web.1'])
  t.same(listGroups(undefined, 'demo@'), [])
  // a folder with files in it stands in for a group with processes: rmdir refuses both
  t.same(removeEmptyGroups(sub, ['demo@v1-a@web.1', 'demo@v2-b@worker.1', 'demo@gone@x.1']), ['demo@v2-b@worker.1'])
  t.notOk(existsSync(join(sub, 'demo@v1-a@web.1')))
  t.ok(existsSync(join(sub, 'other@v1-a@web.1')), 'another app\'s group stays')
  t.match(prepareGroup(join(sub, 'missing-parent', 'x'), 1, 1), /missing-parent/)
})
