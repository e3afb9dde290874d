// parse/cgroup: where a user's subtree goes (v1, v2, systemd, none), the files that cap a group, its counters.
import t from 'tap'
import { parseGroupStats, parseKeyedCounters, planGroupLimits, planMemorySubtree, statFiles, type CgroupHostFacts } from '../../lib/parse/cgroup.js'

const facts = (f: Partial<CgroupHostFacts>): CgroupHostFacts => ({ mount: '/sys/fs/cgroup', v1Memory: false, v2: false, v2Controllers: [], systemd: false, ...f })

t.test('planMemorySubtree: v1 and v2 without systemd are made by install.sh, v2 with systemd is the unit\'s delegated group', async (t) => {
  t.same(planMemorySubtree(facts({ v1Memory: true }), 'piku'), { ok: true, version: 1, path: '/sys/fs/cgroup/memory/piku-hooks-piku', by: 'install' })
  t.same(planMemorySubtree(facts({ v1Memory: true, systemd: true }), 'piku'), { ok: true, version: 1, path: '/sys/fs/cgroup/memory/piku-hooks-piku', by: 'install' }, 'a v1 (hybrid) systemd host')
  t.same(planMemorySubtree(facts({ v2: true, v2Controllers: ['cpu', 'memory', 'pids'] }), 'piku'), { ok: true, version: 2, path: '/sys/fs/cgroup/piku-hooks-piku', by: 'install' })
  t.same(planMemorySubtree(facts({ v2: true, v2Controllers: ['memory'], systemd: true }), 'app'), {
    ok: true,
    version: 2,
    path: '/sys/fs/cgroup/system.slice/piku-hooks-emperor-app.service',
    by: 'systemd',
  })
})

t.test('planMemorySubtree: no memory controller says why', async (t) => {
  t.same(planMemorySubtree(facts({ v2: true, v2Controllers: ['cpu'] }), 'piku'), { ok: false, reason: 'the cgroup v2 tree at /sys/fs/cgroup has no memory controller (cgroup.controllers: cpu)' })
  const none = planMemorySubtree(facts({}), 'piku')
  t.equal(none.ok, false)
  t.match(!none.ok && none.reason, /no memory cgroup controller on this host/)
})

t.test('planGroupLimits: the cap first, swap after it and only where the file exists', async (t) => {
  t.same(planGroupLimits(1, 100663296), [
    { file: 'memory.limit_in_bytes', value: '100663296', optional: false },
    { file: 'memory.memsw.limit_in_bytes', value: '100663296', optional: true },
  ])
  t.same(planGroupLimits(2, 100663296), [
    { file: 'memory.max', value: '100663296', optional: false },
    { file: 'memory.swap.max', value: '0', optional: true },
  ])
  t.throws(() => planGroupLimits(1, 0))
  t.throws(() => planGroupLimits(2, 1.5))
})

t.test('parseGroupStats: v1 counters (usage counts page cache; oom_kill from oom_control)', async (t) => {
  t.same(statFiles(1), ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.failcnt', 'memory.oom_control'])
  t.same(
    parseGroupStats(1, {
      'memory.usage_in_bytes': '41943040\n',
      'memory.max_usage_in_bytes': '100663296\n',
      'memory.limit_in_bytes': '100663296\n',
      'memory.failcnt': '146\n',
      'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n',
    }),
    { usage: 41943040, peak: 100663296, limit: 100663296, hits: 146, oomKills: 3 },
  )
  t.same(parseGroupStats(1, { 'memory.usage_in_bytes': '0', 'memory.limit_in_bytes': '9223372036854771712' }), { usage: 0, peak: undefined, limit: undefined, hits: 0, oomKills: 0 }, 'no limit, no counters')
})

t.test('parseGroupStats: v2 counters from memory.events', async (t) => {
  t.same(statFiles(2), ['memory.current', 'memory.peak', 'memory.max', 'memory.events'])
  t.same(parseGroupStats(2, { 'memory.current': '1000\n', 'memory.peak': '2000\n', 'memory.max': '100663296\n', 'memory.events': 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n' }), {
    usage: 1000,
    peak: 2000,
    limit: 100663296,
    hits: 12,
    oomKills: 2,
  })
  t.same(parseGroupStats(2, { 'memory.current': '5', 'memory.max': 'max\n' }), { usage: 5, peak: undefined, limit: undefined, hits: 0, oomKills: 0 }, 'an older kernel without memory.peak')
})

t.test('parseKeyedCounters: `key number` lines', async (t) => {
  t.same(parseKeyedCounters('a 1\nb  22\nbad\nc x\n'), { a: 1, b: 22 })
})
