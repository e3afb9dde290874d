// render/memory-report: ps's cap column and doctor's memory lines.
import t from 'tap'
import { formatInstanceMemory, planCapHostCheck, planMemoryChecks, type InstanceMemory } from '../../lib/render/memory-report.js'

const MiB = 1024 ** 2
const cap = { bytes: 96 * MiB, key: 'PIKU_MEMORY_MAX_WORKER', value: '96M' }
const stats = { usage: 41 * MiB, peak: 96 * MiB, limit: 96 * MiB, hits: 140, oomKills: 3 }
const worker: InstanceMemory = { kind: 'worker', n: 1, cap, group: '/sys/fs/cgroup/memory/piku-hooks-piku/demo@v1-x@worker.1', stats }

t.test('formatInstanceMemory: the cap the kernel holds beside the usage, peak and kills', async (t) => {
  t.equal(formatInstanceMemory(worker), 'cap 96M: 41.0 MB used, peak 96.0 MB, 3 OOM kills')
  t.equal(formatInstanceMemory({ ...worker, stats: { usage: MiB, limit: 96 * MiB, hits: 0, oomKills: 1 } }), 'cap 96M: 1.0 MB used, 1 OOM kill')
  t.equal(formatInstanceMemory({ ...worker, stats: { usage: MiB, hits: 0, oomKills: 0 } }), 'cap no limit set: 1.0 MB used')
  t.equal(formatInstanceMemory({ kind: 'worker', n: 1, cap }), 'cap 96M NOT enforced (no memory cgroup; see doctor)')
  t.equal(formatInstanceMemory({ kind: 'web', n: 1 }), '', 'no cap, nothing to say')
})

t.test('planMemoryChecks: a warn per instance killed at its cap, with counts', async (t) => {
  t.same(planMemoryChecks('demo', [{ kind: 'web', n: 1 }, worker]), [
    {
      name: 'memory demo',
      level: 'warn',
      message: 'worker.1 hit its 96M cap (PIKU_MEMORY_MAX_WORKER): killed 3 times and restarted inside it (at the cap 140 times); see logs demo, or raise PIKU_MEMORY_MAX_WORKER',
    },
  ])
  t.same(planMemoryChecks('demo', [{ ...worker, stats: { ...stats, oomKills: 0 } }]), [{ name: 'memory demo', level: 'ok', message: 'capped (worker.1 96M); no worker killed at its cap' }])
  t.same(planMemoryChecks('demo', [{ kind: 'web', n: 1 }]), [], 'no cap, no line')
})

t.test('planMemoryChecks: caps the host does not enforce are said, never silent', async (t) => {
  t.same(planMemoryChecks('demo', [worker, { ...worker, n: 2 }], 'install.sh found no usable memory cgroup controller'), [
    { name: 'memory demo', level: 'warn', message: 'PIKU_MEMORY_MAX_WORKER=96M NOT enforced: install.sh found no usable memory cgroup controller' },
  ])
  t.same(planMemoryChecks('demo', [{ kind: 'worker', n: 1, cap }]), [
    { name: 'memory demo', level: 'warn', message: 'worker.1: its memory cgroup is missing, so its 96M cap is NOT enforced: restart demo' },
  ])
})

t.test('planCapHostCheck: where caps are enforced, or why not (warn only when an app asks for one)', async (t) => {
  t.same(planCapHostCheck({ ok: true, version: 1 }, '/sys/fs/cgroup/memory/piku-hooks-piku', ['demo']), {
    name: 'memory caps',
    level: 'ok',
    message: 'enforced by the kernel in /sys/fs/cgroup/memory/piku-hooks-piku (cgroup v1); capped: demo',
  })
  t.equal(planCapHostCheck({ ok: false, reason: 'no controller' }, undefined, []).level, 'ok')
  t.same(planCapHostCheck({ ok: false, reason: 'no controller' }, undefined, ['demo']), { name: 'memory caps', level: 'warn', message: 'NOT enforced on this host, though demo set(s) PIKU_MEMORY_MAX: no controller' })
})
