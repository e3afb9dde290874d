// tests: upkeep planners (dependency caches, deploy logs, low disk), log rotation and the deploy log's cap.
import t from 'tap'
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { depsUsedBy, planDepsPrune, planDeployLogPrune, diskWarning, formatBytes, rotateLogFile, pruneDeployLogs, pruneDeps } from '../../lib/state/upkeep.js'
import type { ReleasePlan } from '../../lib/state/release.js'

const plan = (extra: Partial<ReleasePlan> & Record<string, unknown>): ReleasePlan => ({ app: 'a', id: 'v1', dir: '/h/apps/a/releases/v1', env: {}, ...extra }) as unknown as ReleasePlan

t.test('planDepsPrune: keyed caches no kept release uses; shared caches never', async (t) => {
  const entries = ['node-0123456789abcdef', 'node-fedcba9876543210', 'py-1111111111111111', 'uv-cache', 'go', 'go-build', 'cargo-target', 'cargo-home', 'node-short']
  t.same(planDepsPrune(entries, new Set(['node-0123456789abcdef'])), ['node-fedcba9876543210', 'py-1111111111111111'])
  t.same(planDepsPrune(entries, new Set(['node-0123456789abcdef', 'node-fedcba9876543210', 'py-1111111111111111'])), [])
})

t.test('depsUsedBy: the recorded folder; for older plans every keyed folder mentioned or linked', async (t) => {
  t.same([...depsUsedBy(plan({ depsDir: '/h/deps/a/node-0123456789abcdef' }))], ['node-0123456789abcdef'])
  t.same([...depsUsedBy(plan({ depsDir: undefined }))], [], 'a plan that records no folder uses none')
  const old = plan({ env: { VIRTUAL_ENV: '/h/deps/a/py-1111111111111111', BUNDLE_PATH: '/h/deps/a/ruby-2222222222222222' } })
  t.same([...depsUsedBy(old, ['/h/deps/a/node-3333333333333333/node_modules'])].sort(), ['node-3333333333333333', 'py-1111111111111111', 'ruby-2222222222222222'])
})

t.test('planDeployLogPrune: newest `keep`, and every release still on disk', async (t) => {
  const files = ['v1.log', 'v2.log', 'v10.log', 'v9.log', 'v3.log', 'other.txt']
  t.same(planDeployLogPrune(files, 3), ['v2.log', 'v1.log'], 'v10, v9 and v3 stay')
  t.same(planDeployLogPrune(files, 3, new Set(['v2'])), ['v1.log'])
  t.same(planDeployLogPrune(files, 0), ['v9.log', 'v3.log', 'v2.log', 'v1.log'], 'at least one is kept')
})

t.test('diskWarning: under 1 GiB or under 5% free', async (t) => {
  const G = 1024 ** 3
  t.equal(diskWarning('/home/piku', 50 * G, 100 * G), undefined)
  t.match(diskWarning('/home/piku', 0.5 * G, 100 * G), /^only 512\.0 MiB \(0\.5%\) free on the filesystem of \/home\/piku: /)
  t.match(diskWarning('/home/piku', 40 * G, 1000 * G), /^only 40\.0 GiB \(4\.0%\) free/)
  t.equal(diskWarning('/x', 1, 0), undefined)
  t.equal(formatBytes(512), '512 B')
  t.equal(formatBytes(2048), '2.0 KiB')
})

t.test('rotateLogFile: one old copy once the file passes the limit', async (t) => {
  const dir = t.testdir({ 'watch.log': 'a'.repeat(100), 'watch.log.old': 'older' })
  const f = join(dir, 'watch.log')
  t.equal(rotateLogFile(f, 200), false)
  t.equal(rotateLogFile(f, 50), true)
  t.notOk(existsSync(f))
  t.equal(readFileSync(`${f}.old`, 'utf8'), 'a'.repeat(100))
  t.equal(rotateLogFile(join(dir, 'missing.log'), 1), false)
})

t.test('pruneDeployLogs and pruneDeps on a real folder', async (t) => {
  const root = t.testdir({})
  process.env.PIKU_ROOT = root
  t.teardown(() => void delete process.env.PIKU_ROOT)
  const logs = join(root, 'logs', 'a', 'deploys')
  mkdirSync(logs, { recursive: true })
  for (let i = 1; i <= 7; i++) writeFileSync(join(logs, `v${i}.log`), `${i}\n`)
  t.same(pruneDeployLogs('a', 5, ['v1']).sort(), ['v2.log'])
  const deps = join(root, 'deps', 'a')
  for (const d of ['node-0123456789abcdef', 'node-fedcba9876543210', 'uv-cache']) mkdirSync(join(deps, d), { recursive: true })
  t.same(pruneDeps('a', [plan({ depsDir: join(deps, 'node-0123456789abcdef') })]), ['node-fedcba9876543210'])
  t.ok(statSync(join(deps, 'uv-cache')).isDirectory())
  t.ok(statSync(join(deps, 'node-0123456789abcdef')).isDirectory())
})

t.test('openDeployLog: a 0600 copy of messages and child output, cut at its cap', async (t) => {
  const root = t.testdir({})
  process.env.PIKU_ROOT = root
  t.teardown(() => void delete process.env.PIKU_ROOT)
  const { openDeployLog } = await import('../../lib/state/deploy-log.js')
  const log = await import('../../lib/log.js')
  const d = openDeployLog('a', 'v3', 300)
  log.raw('build output\n')
  d.write('x'.repeat(400))
  d.close()
  log.raw('after close\n')
  const text = readFileSync(d.file, 'utf8')
  t.match(text, /deploy of a v3\nbuild output\n/)
  t.match(text, /\[deploy log cut at 300 bytes\]\n$/)
  t.notMatch(text, /after close/)
  t.equal(statSync(d.file).mode & 0o777, 0o600)
})
