// bench/run: measures piku-hooks on this machine, side by side with what it stands on, and prints a table
// of medians plus the same figures as JSON (bench/results/latest.json). Root, loopback only, bounded.
import { execFileSync } from 'node:child_process'
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { setupHost, ssh, commitFiles, push, httpGet, run, repoRoot, requestLoop, toolkitDir, type TestHost } from '../test/fixtures/host.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const USER = 'phbench'
const cleanups: (() => unknown)[] = []
// setupHost registers its teardown on a tap test; here we keep the callbacks and run them at the end
const owner = { teardown: (fn: () => unknown) => cleanups.push(fn), comment: (...m: unknown[]) => console.error('#', ...m) } as unknown as Test

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'piku-bench-app-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir })
  commitFiles(dir, files, 'first')
  return dir
}

/** Wall time of `ssh` with a given command, median over RUNS. */
async function sshLatency(host: TestHost, args: string[], key = host.keyFile): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const [cmd, ...opts] = host.gitSshCommand.replace(host.keyFile, key).split(' ')
    const start = process.hrtime.bigint()
    const r = await run(cmd, [...opts, `${host.user}@127.0.0.1`, ...args])
    times.push(ms(start))
    if (r.code !== 0 && key === host.keyFile) throw new Error(`ssh ${args.join(' ')} failed: ${r.stderr}`)
  }
  return median(times)
}

interface ProcessCost {
  wallMs: number
  cpuMs: number
  rssMb: number
}

/**
 * Our own process: wall, CPU and peak RSS of a command run as the host user, medians over RUNS; measured
 * by bench/measure.py from the kernel's accounting of each child (wait4), so nothing rounds to 10 ms.
 */
function timeRuns(host: TestHost, cmd: string[], env: Record<string, string> = {}): ProcessCost {
  const measure = join(tmpdir(), 'piku-bench-measure.py')
  copyFileSync(join(repoRoot, 'bench', 'measure.py'), measure)
  chmodSync(measure, 0o644)
  const out = execFileSync(
    'runuser',
    ['-u', host.user, '--', 'env', '-i', `HOME=${host.home}`, `USER=${host.user}`, 'PATH=/usr/local/bin:/usr/bin:/bin', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/usr/bin/python3', measure, String(RUNS), ...cmd],
    { encoding: 'utf8' },
  )
  const runs = JSON.parse(out) as (ProcessCost & { status: number })[]
  if (runs.some((r) => r.status !== 0)) throw new Error(`${cmd.join(' ')} exited non-zero`)
  return {
    wallMs: round(median(runs.map((r) => r.wallMs))),
    cpuMs: round(median(runs.map((r) => r.cpuMs))),
    rssMb: round(median(runs.map((r) => r.rssMb))),
  }
}

/** Peak RSS of every process whose command line mentions `needle`, sampled while `during` runs. */
async function peakRss(needle: string, during: () => Promise<unknown>): Promise<number> {
  let peak = 0
  let done = false
  const sampler = (async () => {
    while (!done) {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) continue
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
          if (m) peak = Math.max(peak, Number(m[1]) / 1024)
        } catch {}
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  await during()
  done = true
  await sampler
  return round(peak)
}

/** Push and wait until nginx serves `expect`; returns the wall time in ms. */
async function pushUntilServed(host: TestHost, dir: string, app: string, name: string, expect: string): Promise<number> {
  const start = process.hrtime.bigint()
  const r = await push(host, dir, app)
  if (r.code !== 0) throw new Error(`push of ${app} failed:\n${r.stderr}`)
  for (let i = 0; i < 200; i++) {
    if ((await httpGet(host, name)).body.includes(expect)) return Math.round(ms(start))
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error(`${app} never served "${expect}"`)
}

const nodeApp = (version: string, deps: Record<string, string>) => ({
  'package.json': JSON.stringify({ name: 'bench', version: '1.0.0', private: true, dependencies: deps }, null, 2),
  'index.js': `const express = require('express')\nconst app = express()\napp.get('/', (q, s) => s.send('bench ${version}\\n'))\napp.listen(process.env.PORT, process.env.BIND_ADDRESS)\n`,
  Procfile: 'web: node index.js\n',
  ENV: 'NGINX_SERVER_NAME=bench.test\nGREETING=hi\n',
})

function lockfile(dir: string): void {
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' })
  commitFiles(dir, {}, 'lockfile')
}

async function main(): Promise<void> {
  const host = await setupHost(owner, { user: USER, sshPort: 22291, httpPort: 28091, httpsPort: 28491, with: ['postgres', 'redis'] })
  const toolkit = toolkitDir
  // a second key whose forced command does nothing: the bare ssh round trip
  const bareKey = join(tmpdir(), 'piku-bench-bare')
  rmSync(bareKey, { force: true })
  rmSync(`${bareKey}.pub`, { force: true })
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', bareKey])
  appendFileSync(join(host.home, '.ssh', 'authorized_keys'), `command="/bin/true",restrict ${readFileSync(`${bareKey}.pub`, 'utf8')}`)

  // --- push to served
  const app = appDir(nodeApp('1', { express: '^4.19.2' }))
  lockfile(app)
  const firstDeploy = await pushUntilServed(host, app, 'bench', 'bench.test', 'bench 1')
  commitFiles(app, { 'index.js': nodeApp('2', {})['index.js'] }, 'v2')
  let redeployNoDeps = 0
  const hookRss = await peakRss('hooks/pre-receive', async () => {
    redeployNoDeps = await pushUntilServed(host, app, 'bench', 'bench.test', 'bench 2')
  })
  commitFiles(app, nodeApp('3', { express: '^4.19.2', ms: '^2.1.3' }), 'v3 with a new dependency')
  lockfile(app)
  const redeployNewDeps = await pushUntilServed(host, app, 'bench', 'bench.test', 'bench 3')

  // --- verbs over ssh, next to a bare round trip
  const set = await ssh(host, ['config:set', 'bench', 'GREETING=hi'])
  if (set.code !== 0) throw new Error(`config:set failed: ${set.stderr}`)
  const bare = await sshLatency(host, ['anything'], bareKey)
  const verbs: Record<string, number> = {
    apps: await sshLatency(host, ['apps']),
    'config:get': await sshLatency(host, ['config:get', 'bench', 'GREETING']),
    ps: await sshLatency(host, ['ps', 'bench']),
  }

  // --- our own process per verb and per hook, next to node -e ''
  const nodeBare = timeRuns(host, ['node', '-e', ''])
  const own: Record<string, ProcessCost> = {}
  for (const v of [['apps'], ['config:get', 'bench', 'GREETING'], ['ps', 'bench'], ['help']]) {
    own[v.join(' ')] = timeRuns(host, [`${toolkit}/bin/piku-ssh`, '--local', ...v])
  }
  const gitDir = join(host.home, 'repos', 'bench')
  own['post-receive (no update)'] = timeRuns(host, ['sh', '-c', `cd ${gitDir} && GIT_DIR=. hooks/post-receive < /dev/null`])

  // --- databases: idle PostgreSQL and Redis memory (PSS), connect + first query, next to the client's own start
  const databases = await benchDatabases(host)

  // --- failed requests during three redeploys under a steady loop
  let deploying = true
  const loop = requestLoop(host, 'bench.test', 20, () => !deploying)
  for (const v of ['4', '5', '6']) {
    commitFiles(app, { 'index.js': nodeApp(v, {})['index.js'] }, `v${v}`)
    await pushUntilServed(host, app, 'bench', 'bench.test', `bench ${v}`)
  }
  deploying = false
  const underLoad = await loop

  // --- 1 app vs 50 apps
  const apps1 = verbs.apps
  const redeploy1 = redeployNoDeps
  for (let i = 1; i < 50; i++) {
    const site = appDir({ 'public/index.html': `site ${i}\n`, Procfile: 'static: public\n', ENV: `NGINX_SERVER_NAME=site${i}.bench.test\n` })
    const r = await push(host, site, `site${i}`)
    if (r.code !== 0) throw new Error(`push of site${i} failed:\n${r.stderr}`)
  }
  const apps50 = await sshLatency(host, ['apps'])
  commitFiles(app, { 'index.js': nodeApp('7', {})['index.js'] }, 'v7')
  const redeploy50 = await pushUntilServed(host, app, 'bench', 'bench.test', 'bench 7')

  const results = {
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length, date: new Date().toISOString(), runs: RUNS },
    sshMs: { bare: round(bare), ...Object.fromEntries(Object.entries(verbs).map(([k, v]) => [k, round(v)])) },
    processCost: { "node -e ''": nodeBare, ...own },
    hookPeakRssMb: { 'pre-receive (redeploy)': hookRss },
    pushToServedMs: { firstDeploy, redeployNoDeps, redeployNewDeps },
    redeploysUnderLoad: { deploys: 3, requestsPerSecond: 20, ...underLoad },
    scale: { appsMs1: round(apps1), appsMs50: round(apps50), redeployMs1: redeploy1, redeployMs50: redeploy50 },
    databases,
  }
  const targets = [
    ...Object.entries(verbs).map(([k, v]) => ({ what: `ssh ${k} / bare ssh`, value: round(v / bare, 2), limit: 1.5 })),
    ...Object.entries(own).map(([k, v]) => ({ what: `${k}: time / node -e ''`, value: round(v.wallMs / nodeBare.wallMs, 2), limit: 2 })),
    ...Object.entries(own).map(([k, v]) => ({ what: `${k}: peak RSS MB`, value: v.rssMb, limit: 60 })),
    { what: 'pre-receive peak RSS MB', value: hookRss, limit: 100 },
    { what: 'redeploy (no dep change) / first deploy', value: round(redeployNoDeps / firstDeploy, 2), limit: 0.5 },
    { what: 'apps with 50 apps / with 1', value: round(apps50 / apps1, 2), limit: 2 },
    { what: 'failed requests during 3 redeploys', value: underLoad.failed, limit: 0 },
  ].map((x) => ({ ...x, holds: x.value <= x.limit }))

  const table: string[] = ['| measure | value |', '|---|---|']
  table.push(`| bare ssh round trip (forced command /bin/true) | ${round(bare)} ms |`)
  for (const [k, v] of Object.entries(verbs)) table.push(`| ssh \`${k}\` | ${round(v)} ms |`)
  table.push(`| \`node -e ''\` | ${nodeBare.wallMs} ms, ${nodeBare.cpuMs} ms CPU, ${nodeBare.rssMb} MB |`)
  for (const [k, v] of Object.entries(own)) table.push(`| our process: \`${k}\` | ${v.wallMs} ms, ${v.cpuMs} ms CPU, ${v.rssMb} MB |`)
  table.push(`| pre-receive hook peak RSS (redeploy) | ${hookRss} MB |`)
  table.push(`| push to served: first deploy (npm ci) | ${firstDeploy} ms |`)
  table.push(`| push to served: redeploy, dependencies unchanged | ${redeployNoDeps} ms |`)
  table.push(`| push to served: redeploy, a new dependency | ${redeployNewDeps} ms |`)
  table.push(`| failed requests over 3 redeploys at 20 req/s | ${underLoad.failed} of ${underLoad.ok + underLoad.failed} |`)
  table.push(`| \`apps\` with 1 app / 50 apps | ${round(apps1)} ms / ${round(apps50)} ms |`)
  table.push(`| redeploy with 1 app / 50 apps | ${redeploy1} ms / ${redeploy50} ms |`)
  table.push(`| idle PostgreSQL (all its processes, PSS) / the app's Redis (PSS) | ${databases.postgresIdlePssMb} MB / ${databases.redisIdlePssMb} MB |`)
  table.push(`| first query: \`psql -c 'SELECT 1'\` on the app's DATABASE_URL (psql's own start: ${databases.psqlStartMs} ms) | ${databases.postgresFirstQueryMs} ms |`)
  table.push(`| first command: \`redis-cli PING\` on the app's REDIS_URL (redis-cli's own start: ${databases.redisCliStartMs} ms) | ${databases.redisFirstCommandMs} ms |`)

  // --- Node 18 (apt's, in the Debian 12 root of .ci/node18): start-up ratios and the 256 MB host, phase by phase
  const node18 = process.env.BENCH_NODE18 === '0' ? undefined : benchNode18()
  if (node18) {
    table.push(`| Node 18 (${node18.node}): \`node -e ''\` | ${node18.startup["node -e ''"].ms} ms |`)
    for (const [k, v] of Object.entries(node18.startup)) {
      if (k === "node -e ''") continue
      table.push(`| Node 18: our process \`${k}\` | ${v.ms} ms |`)
      targets.push({ what: `Node 18: ${k}: time / node -e ''`, value: v.ratio, limit: 2, holds: v.ratio <= 2 })
    }
    for (const [phase, m] of Object.entries(node18.phases)) {
      table.push(`| Node 18, host in a ${node18.capMb} MB cgroup: ${phase} | peak ${m.usageMb} MB (page cache included), ${m.rssMb} MB own |`)
      targets.push({ what: `${node18.capMb} MB host: ${phase}: peak MB`, value: m.usageMb, limit: node18.capMb, holds: m.usageMb <= node18.capMb })
    }
  }

  const ratios = ['| target | value | limit | holds |', '|---|---|---|---|', ...targets.map((x) => `| ${x.what} | ${x.value} | ${x.limit} | ${x.holds ? 'yes' : '**no**'} |`)]
  console.log(`\npiku-hooks bench (${RUNS} runs per median, node ${process.version})\n`)
  console.log(table.join('\n'))
  console.log('')
  console.log(ratios.join('\n'))
  const json = JSON.stringify({ ...results, node18, targets }, null, 2)
  console.log('\n' + json)
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true })
  writeFileSync(join(repoRoot, 'bench', 'results', 'latest.json'), json + '\n')
  writeFileSync(join(repoRoot, 'bench', 'results', 'latest.md'), table.join('\n') + '\n\n' + ratios.join('\n') + '\n')
}

/** Proportional set size of `pids` together, from /proc/PID/smaps_rollup (shared pages split among sharers). */
function pssMb(pids: number[]): number {
  let kb = 0
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0)
    } catch {}
  }
  return round(kb / 1024)
}

/** Pids whose parent is `parent` (with it): PostgreSQL's postmaster and its backends. */
function withChildren(parent: number): number[] {
  const pids = [parent]
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) === parent) pids.push(Number(p))
    } catch {}
  }
  return pids
}

/** postgres:create and redis:create on the bench app, then idle memory and first-query latency of each. */
async function benchDatabases(host: TestHost) {
  for (const verb of ['postgres:create', 'redis:create']) {
    const r = await ssh(host, [verb, 'bench'])
    if (r.code !== 0) throw new Error(`${verb} failed: ${r.stderr}`)
  }
  const env = readFileSync(join(host.home, 'config', 'bench', 'ENV'), 'utf8')
  const url = (k: string) => env.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1) ?? ''
  await new Promise((r) => setTimeout(r, 5000)) // idle: the redeploy's connections closed, the old workers gone
  const postmaster = Number(readFileSync('/var/lib/postgresql/15/main/postmaster.pid', 'utf8').split('\n')[0])
  const uid = statSync(host.home).uid
  const redisPids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      return statSync(`/proc/${p}`).uid === uid && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'redis-server'
    } catch {
      return false
    }
  })
  const q = (cmd: string[]) => timeRuns(host, cmd).wallMs
  return {
    postgresIdlePssMb: pssMb(withChildren(postmaster)),
    redisIdlePssMb: pssMb(redisPids),
    psqlStartMs: q(['psql', '--version']),
    postgresFirstQueryMs: q(['psql', '-X', '-At', '-c', 'SELECT 1', url('DATABASE_URL')]),
    redisCliStartMs: q(['redis-cli', '--version']),
    redisFirstCommandMs: q(['redis-cli', '--no-auth-warning', '-u', url('REDIS_URL'), 'PING']),
  }
}

interface Node18Report {
  capMb: number
  node: string
  phases: Record<string, { usageMb: number; rssMb: number }>
  startup: Record<string, { ms: number; ratio: number }>
}

/** Run the small-host suite in the Node 18 root (.ci/node18) and read the figures it wrote; undefined when it cannot. */
function benchNode18(): Node18Report | undefined {
  const script = join(repoRoot, '.ci', 'node18')
  const root = process.env.PIKU_NODE18_ROOT || '/var/cache/piku-hooks-node18-root'
  const report = join(root, 'root', 'small-host.json')
  rmSync(report, { force: true })
  try {
    execFileSync(script, ['test/e2e/small-host.ts'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] })
    return JSON.parse(readFileSync(report, 'utf8')) as Node18Report
  } catch (e) {
    console.error(`# the Node 18 part did not run (${(e as Error).message.split('\n')[0]}); BENCH_NODE18=0 skips it`)
    return undefined
  }
}

main()
  .catch((e) => {
    console.error(`bench failed: ${(e as Error)?.stack ?? e}`)
    process.exitCode = 1
  })
  .finally(async () => {
    for (const fn of cleanups.reverse()) await fn()
  })
