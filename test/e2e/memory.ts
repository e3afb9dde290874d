// e2e memory caps: a worker capped at 96M that allocates without bound is held to its cap by the kernel (killed
// and restarted inside its own cgroup) while the app's web and another app answer every request; ps shows the cap
// beside the usage, doctor the kills; a bad size is refused; retired and stopped workers' groups are removed.
import t from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, push, httpGet, requestLoop } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}
if (!existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') && !existsSync('/sys/fs/cgroup/cgroup.controllers')) {
  t.plan(0, 'no memory cgroup controller on this machine')
  process.exit(0)
}

const user = 'phmem'
const host = await setupHost(t, { user, sshPort: 22351, httpPort: 28151, httpsPort: 28551 })
const subtree = existsSync('/sys/fs/cgroup/cgroup.controllers') ? `/sys/fs/cgroup/piku-hooks-${user}` : `/sys/fs/cgroup/memory/piku-hooks-${user}`
const v2 = !subtree.includes('/memory/')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const MiB = 1024 ** 2

const web = (name: string) => `require('http').createServer((q, s) => s.end('${name} answers\\n')).listen(process.env.PORT, process.env.BIND_ADDRESS)\n`
// allocates 4 MiB every 50 ms, written so every page is touched (Buffers live outside the V8 heap: only the kernel stops them)
const leak = [
  "console.log(`leak starts, NODE_OPTIONS=${process.env.NODE_OPTIONS}`)",
  'const kept = []',
  'setInterval(() => { kept.push(Buffer.alloc(4 << 20, 7)); if (kept.length % 8 === 0) console.log(`holding ${kept.length * 4} MiB`) }, 50)',
  '',
].join('\n')

const token = (app: string) => JSON.parse(readFileSync(`${host.home}/apps/${app}/active.json`, 'utf8')).token as string
const groups = (app: string) => (existsSync(subtree) ? readdirSync(subtree).filter((g) => g.startsWith(`${app}@`)) : [])
const read = (group: string, file: string) => readFileSync(join(subtree, group, file), 'utf8')
const oomKills = (group: string) => Number((v2 ? /^oom_kill (\d+)/m.exec(read(group, 'memory.events')) : /^oom_kill (\d+)/m.exec(read(group, 'memory.oom_control')))?.[1] ?? 0)
const procs = (group: string) => read(group, 'cgroup.procs').split('\n').filter(Boolean).map(Number)

const other = makeApp(t, { 'server.js': web('other'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=other.mem.test\n' })
const mem = makeApp(t, {
  'server.js': web('mem'),
  'leak.js': leak,
  Procfile: 'web: node server.js\nworker: node leak.js\n',
  ENV: 'NGINX_SERVER_NAME=mem.test\nPIKU_MEMORY_MAX_WORKER=96M\n',
})

t.test('memory: install makes the user\'s subtree and hands it over', async (t) => {
  t.match(host.install.stdout + host.install.stderr, new RegExp(`memory caps: ${subtree}`))
  t.ok(existsSync(subtree), subtree)
  t.match(readFileSync(`${host.home}/host.env`, 'utf8'), new RegExp(`^MEMORY_CGROUP=${subtree}$`, 'm'))
})

t.test('memory: a push with PIKU_MEMORY_MAX_WORKER=96M says the cap is held; the worker runs in its own capped group', async (t) => {
  t.equal((await push(host, other, 'other')).code, 0)
  const r = await push(host, mem, 'mem')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /memory caps: worker 96M \(PIKU_MEMORY_MAX_WORKER=96M\), each instance in its own cgroup/)
  t.notMatch(r.stderr, /NOT enforced/)
  const group = `mem@${token('mem')}@worker.1`
  t.same(groups('mem'), [group], 'one group, for the one capped instance (web has no cap)')
  t.equal(Number(read(group, v2 ? 'memory.max' : 'memory.limit_in_bytes')), 96 * MiB)
  for (let i = 0; i < 50 && procs(group).length === 0; i++) await sleep(100)
  t.ok(procs(group).length > 0, 'the worker\'s processes are in it')
  t.equal(groups('other').length, 0, 'an app without caps has no group')
})

t.test('memory: the worker is killed at its cap and restarted inside it, while web and another app answer every request', async (t) => {
  const group = `mem@${token('mem')}@worker.1`
  let done = false
  const loops = [requestLoop(host, 'mem.test', 5, () => done, 'mem answers\n'), requestLoop(host, 'other.mem.test', 5, () => done, 'other answers\n')]
  const start = Date.now()
  while ((oomKills(group) < 3 || Date.now() - start < 10_000) && Date.now() - start < 90_000) await sleep(500)
  done = true
  const [m, o] = await Promise.all(loops)
  const kills = oomKills(group)
  t.ok(kills >= 3, `killed ${kills} times`)
  t.ok(m.ok > 40 && o.ok > 40, `answers: mem ${m.ok}, other ${o.ok}`)
  t.equal(m.failed, 0, 'the capped app\'s web lost no request')
  t.equal(o.failed, 0, 'the other app lost no request')
  const peak = Number(read(group, v2 ? 'memory.peak' : 'memory.max_usage_in_bytes'))
  t.ok(peak <= 96 * MiB, `peak ${(peak / MiB).toFixed(1)} MiB, held to 96 MiB`)
  const starts = () => (readFileSync(`${host.home}/logs/mem/worker.1.log`, 'utf8').match(/leak starts/g) ?? []).length
  for (let i = 0; i < 100 && starts() <= kills; i++) await sleep(100)
  t.ok(starts() > kills, `started ${starts()} times: again after each of the ${kills} kills`)
  const log = readFileSync(`${host.home}/logs/mem/worker.1.log`, 'utf8')
  t.match(log, /NODE_OPTIONS=--max-old-space-size=72/, 'a Node heap limit that fits the cap')
  for (let i = 0; i < 50 && procs(group).length === 0; i++) await sleep(100)
  const pid = procs(group).find((p) => existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('leak.js'))
  t.ok(pid, 'the restarted worker is inside the group again')
})

t.test('memory: ps shows each capped instance\'s cap beside its usage', async (t) => {
  const r = await ssh(host, ['ps', 'mem'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^worker\.1 +pid \d+ .* cap 96M: [\d.]+ MB used, peak [\d.]+ MB, \d+ OOM kills?$/m)
  t.match(r.stdout, /^web\.1 +pid \d+ +[\d.]+ MB +\d+ process(es)?$/m, 'web has no cap')
  const json = JSON.parse((await ssh(host, ['ps', 'mem', '--json'])).stdout)
  const worker = json.instances.find((i: { kind: string }) => i.kind === 'worker')
  t.equal(worker.memory.stats.limit, 96 * MiB)
  t.ok(worker.memory.stats.oomKills >= 2)
})

t.test('memory: doctor reports the instance that hit its cap, with counts', async (t) => {
  const r = await ssh(host, ['doctor'])
  t.match(r.stdout, /^warn  memory mem: worker\.1 hit its 96M cap \(PIKU_MEMORY_MAX_WORKER\): killed \d+ times and restarted inside it/m)
  t.match(r.stdout, new RegExp(`^ok    memory caps: enforced by the kernel in ${subtree} \\(cgroup v${v2 ? 2 : 1}\\); capped: mem$`, 'm'))
  t.match(r.stdout, /^ok    app other: /m)
})

t.test('memory: a size that is not one is refused in one line naming the key, and nothing changes', async (t) => {
  const before = token('mem')
  const r = await ssh(host, ['config:set', 'mem', 'PIKU_MEMORY_MAX_WORKER=96MB'])
  t.not(r.code, 0)
  t.match(r.stderr, /PIKU_MEMORY_MAX_WORKER="96MB": expected a size such as 96M or 1G/)
  t.equal(token('mem'), before)
  const typo = await ssh(host, ['config:set', 'mem', 'PIKU_MEMORY_MAX_WROKER=96M'])
  t.not(typo.code, 0)
  t.match(typo.stderr, /PIKU_MEMORY_MAX_WROKER: this app has no process kind "wroker"/)
  t.equal((await httpGet(host, 'mem.test')).body, 'mem answers\n')
})

t.test('memory: a redeploy caps the new workers and removes the retired ones\' groups; stop removes the rest', async (t) => {
  const r = await ssh(host, ['config:set', 'mem', 'PIKU_MEMORY_MAX=128M', 'PIKU_MEMORY_MAX_WORKER=160M'])
  t.equal(r.code, 0, r.stderr)
  const live = token('mem')
  const want = [`mem@${live}@web.1`, `mem@${live}@worker.1`]
  for (let i = 0; i < 120 && groups('mem').sort().join() !== want.join(); i++) await sleep(250)
  t.same(groups('mem').sort(), want, 'only the live activation\'s groups are left')
  t.equal(Number(read(`mem@${live}@worker.1`, v2 ? 'memory.max' : 'memory.limit_in_bytes')), 160 * MiB, 'PIKU_MEMORY_MAX_WORKER wins over PIKU_MEMORY_MAX')
  t.equal(Number(read(`mem@${live}@web.1`, v2 ? 'memory.max' : 'memory.limit_in_bytes')), 128 * MiB)
  t.equal((await httpGet(host, 'mem.test')).body, 'mem answers\n', 'web answers under its 128M cap')
  const stop = await ssh(host, ['stop', 'mem'])
  t.equal(stop.code, 0, stop.stderr)
  for (let i = 0; i < 60 && groups('mem').length; i++) await sleep(250)
  t.same(groups('mem'), [], 'a stopped app has no group left')
})
