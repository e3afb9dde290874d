// host/memory: which cgroup files bound this process's memory, for cgroup v1 and v2; the limit read here.
import t from 'tap'
import { totalmem } from 'node:os'
import { planLimitFiles, readMemoryLimit } from '../../lib/host/memory.js'

t.test('planLimitFiles: v1 memory controller, innermost group first, up to the root', async (t) => {
  const v1 = '12:pids:/a\n9:memory:/piku-e2e-phpi/inner\n1:name=systemd:/x\n0::/\n'
  t.same(planLimitFiles(v1).slice(0, 3), [
    '/sys/fs/cgroup/memory/piku-e2e-phpi/inner/memory.limit_in_bytes',
    '/sys/fs/cgroup/memory/piku-e2e-phpi/memory.limit_in_bytes',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes',
  ])
  t.same(planLimitFiles('3:cpu,memory:/g\n'), ['/sys/fs/cgroup/memory/g/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])
})

t.test('planLimitFiles: v2 unified hierarchy reads memory.max; junk lines are skipped', async (t) => {
  t.same(planLimitFiles('0::/system.slice/piku.service\n'), [
    '/sys/fs/cgroup/system.slice/piku.service/memory.max',
    '/sys/fs/cgroup/system.slice/memory.max',
    '/sys/fs/cgroup/memory.max',
  ])
  t.same(planLimitFiles('garbage\n\n5:cpu:/a\n'), [])
})

t.test('readMemoryLimit: a positive number no larger than the RAM', async (t) => {
  const limit = readMemoryLimit()
  t.ok(limit > 0 && limit <= totalmem())
})
