// e2e/small-host: a Raspberry Pi's budget. In the Node 18 root (.ci/node18), every server process of the host
// (sshd, nginx, the uwsgi emperor and all it starts, each push's hooks and dependency builds) runs in one memory
// cgroup capped at 256 MB: install.sh from a fresh checkout, a push of a Node app with npm dependencies, three
// redeploys and the verbs work, nothing is OOM-killed, and the peak of each phase is reported.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { commitFiles, httpGet, makeApp, push, repoRoot, requestLoop, setupHost, ssh, toolkitDir, type TestHost } from '../fixtures/host.js'

const user = 'phpi'
const ports = { sshPort: 22341, httpPort: 28141, httpsPort: 28541 }
const capMb = Number(process.env.PIKU_SMALL_HOST_MB || 256)
const memory = '/sys/fs/cgroup/memory'
const group = join(memory, `piku-e2e-${user}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const readGroup = (file: string) => readFileSync(join(group, file), 'utf8')
const peakMb = () => Math.round(Number(readGroup('memory.max_usage_in_bytes')) / 1048576)
// v1 usage counts page cache, which the kernel reclaims at the cap; the processes' own memory (rss) is sampled
let rssPeak = 0
const sampleRss = () => {
  const m = /^total_rss (\d+)$/m.exec(readGroup('memory.stat'))
  rssPeak = Math.max(rssPeak, Math.round(Number(m?.[1] ?? 0) / 1048576))
}
const resetPeak = () => {
  writeFileSync(join(group, 'memory.max_usage_in_bytes'), '0')
  rssPeak = 0
}
const oomKills = () => Number(/^oom_kill (\d+)$/m.exec(readGroup('memory.oom_control'))?.[1] ?? 0)
const procsOf = (dir: string) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)

/** Move every process of the group back to the root group and remove it (a leftover of an earlier run too). */
async function removeGroup(): Promise<void> {
  for (let i = 0; i < 50 && existsSync(group); i++) {
    for (const pid of procsOf(group)) {
      try {
        writeFileSync(join(memory, 'cgroup.procs'), pid)
      } catch {} // exited meanwhile
    }
    try {
      rmdirSync(group)
    } catch {
      await sleep(100)
    }
  }
}

/** The root's own nginx (one master for the suites of this pass) joins the group, master and workers. */
function nginxIntoGroup(): number[] {
  const master = existsSync('/run/nginx.pid') ? readFileSync('/run/nginx.pid', 'utf8').trim() : ''
  if (!/^\d+$/.test(master) || !existsSync(`/proc/${master}`)) return []
  const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === master)
  const moved: number[] = []
  for (const pid of [master, ...children]) {
    writeFileSync(join(group, 'cgroup.procs'), pid)
    moved.push(Number(pid))
  }
  return moved
}

/** This checkout as a new user gets it: its files, without node_modules, dist or any build output. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'piku-hooks-checkout-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const excludes = ['node_modules', 'dist', '.tap', 'bench/build', 'bench/results', '.git'].map((e) => `--exclude=./${e}`)
  execFileSync('sh', ['-c', 'tar "$@" -cf - . | tar -xf - -C "$0"', dir, ...excludes], { cwd: repoRoot })
  return dir
}

const appFiles = (version: string, deps: Record<string, string>) => ({
  'package.json': JSON.stringify(
    {
      name: 'pi',
      version: '1.0.0',
      private: true,
      dependencies: deps,
      // the build's own priority, as npm ci saw it: nice value and I/O class
      scripts: { postinstall: 'echo "$(ps -o ni= -p $$) $(ionice -p $$)" > build-priority.txt' },
    },
    null,
    2,
  ),
  'index.js': `const express = require('express')\nconst app = express()\napp.get('/', (q, s) => s.send(\`\${process.env.GREETING} ${version}\\n\`))\napp.listen(process.env.PORT, process.env.BIND_ADDRESS)\n`,
  Procfile: 'web: node index.js\n',
  ENV: 'NGINX_SERVER_NAME=pi.test\nGREETING=hello\n',
})

function lockfile(dir: string): void {
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' })
  commitFiles(dir, {}, 'lockfile')
}

async function servedSoon(host: TestHost, want: string): Promise<string> {
  let body = ''
  for (let i = 0; i < 100 && body !== want; i++, await sleep(100)) body = (await httpGet(host, 'pi.test')).body
  return body
}

/** For npm run bench: each verb's own process (median wall ms of 11, bench/measure.py) and its ratio to `node -e ''`. */
function startupRatios(host: TestHost): Record<string, { ms: number; ratio: number }> {
  const measure = join(tmpdir(), 'piku-small-host-measure.py')
  writeFileSync(measure, readFileSync(join(repoRoot, 'bench', 'measure.py')), { mode: 0o644 })
  const median = (cmd: string[]) => {
    const out = execFileSync('runuser', ['-u', host.user, '--', 'env', '-i', `HOME=${host.home}`, 'PATH=/usr/local/bin:/usr/bin:/bin', '/usr/bin/python3', measure, '11', ...cmd], { encoding: 'utf8' })
    const walls = (JSON.parse(out) as { wallMs: number }[]).map((r) => r.wallMs).sort((a, b) => a - b)
    return walls[5]
  }
  const bare = median(['node', '-e', ''])
  const result: Record<string, { ms: number; ratio: number }> = { "node -e ''": { ms: Math.round(bare * 10) / 10, ratio: 1 } }
  for (const v of [['apps'], ['config:get', 'pi', 'GREETING'], ['ps', 'pi'], ['help']]) {
    const ms = median([join(toolkitDir, 'bin', 'piku-ssh'), '--local', ...v])
    result[v.join(' ')] = { ms: Math.round(ms * 10) / 10, ratio: Math.round((ms / bare) * 100) / 100 }
  }
  rmSync(measure, { force: true })
  return result
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else if (!process.env.PIKU_E2E_NODE18_ROOT) {
  t.plan(0, 'runs in the Node 18 pass (.ci/node18): on this machine nginx is one master shared by every suite')
} else if (!existsSync(join(memory, 'memory.limit_in_bytes'))) {
  t.plan(0, `no cgroup v1 memory controller at ${memory}`)
} else {
  const phases: Record<string, { usageMb: number; rssMb: number }> = {}
  const phaseDone = (name: string) => (phases[name] = { usageMb: peakMb(), rssMb: rssPeak })
  let host: TestHost
  let checkout: string
  let app: string

  t.before(async () => {
    await removeGroup()
    mkdirSync(group)
    writeFileSync(join(group, 'memory.limit_in_bytes'), `${capMb * 1048576}`)
    const sampler = setInterval(sampleRss, 50)
    t.teardown(() => clearInterval(sampler))
    t.teardown(removeGroup)
    nginxIntoGroup()
    checkout = freshCheckout()
    // a new host has no TypeScript cached yet
    for (const d of existsSync('/var/cache/piku-hooks') ? readdirSync('/var/cache/piku-hooks') : []) {
      if (d.startsWith('typescript-')) rmSync(join('/var/cache/piku-hooks', d), { recursive: true, force: true })
    }
    resetPeak()
    host = await setupHost(t, { user, ...ports, checkout, cgroup: group })
    phaseDone('install.sh (fresh checkout)')
    app = makeApp(t, appFiles('v1', { express: '^4.19.2' }))
    lockfile(app)
  })

  t.test(`small host: install.sh from a fresh checkout works in ${capMb} MB, without the test toolchain`, async (t) => {
    t.match(host.install.stdout, /fetching typescript \d+\.\d+\.\d+/)
    t.match(host.install.stdout, /building the toolkit \(typescript [\d.]+, transpile only\)/)
    t.notOk(existsSync(join(checkout, 'node_modules')), 'the checkout got no node_modules')
    t.ok(existsSync(join(toolkitDir, 'node_modules', 'zx')), 'the toolkit has its runtime dependencies')
    for (const dev of ['tap', 'typescript', '@tapjs/core', '@types/node']) t.notOk(existsSync(join(toolkitDir, 'node_modules', dev, 'package.json')), `no ${dev} in the toolkit`)
    t.equal((await httpGet(host, 'unknown.test')).status, 404)
    t.equal(oomKills(), 0)
  })

  t.test('small host: a first push of a Node app with npm dependencies, built at low priority', async (t) => {
    resetPeak()
    const r = await push(host, app, 'pi')
    phaseDone('first push (npm ci express)')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /installing dependencies with npm ci/)
    t.equal(await servedSoon(host, 'hello v1\n'), 'hello v1\n')
    const deps = join(host.home, 'deps', 'pi')
    const built = readdirSync(deps).find((d) => existsSync(join(deps, d, 'build-priority.txt')))
    t.ok(built, 'npm ci ran the postinstall script')
    if (built) t.match(readFileSync(join(deps, built, 'build-priority.txt'), 'utf8').trim(), /^10 idle$/, 'nice 10, idle I/O class')
    t.equal(oomKills(), 0)
  })

  t.test('small host: three redeploys (one with a new dependency), every request answered', async (t) => {
    resetPeak()
    let deploying = true
    const loop = requestLoop(host, 'pi.test', 10, () => !deploying)
    const steps: [string, Record<string, string>][] = [
      ['v2', { express: '^4.19.2' }],
      ['v3', { express: '^4.19.2', ms: '^2.1.3' }],
      ['v4', { express: '^4.19.2', ms: '^2.1.3' }],
    ]
    for (const [v, deps] of steps) {
      commitFiles(app, appFiles(v, deps), v)
      if (v === 'v3') lockfile(app)
      const r = await push(host, app, 'pi')
      t.equal(r.code, 0, r.stderr)
      t.equal(await servedSoon(host, `hello ${v}\n`), `hello ${v}\n`)
    }
    deploying = false
    const answered = await loop
    phaseDone('three redeploys')
    t.equal(answered.failed, 0, `${answered.ok} answered, ${answered.failed} failed`)
    t.ok(answered.ok > 0)
    t.equal(oomKills(), 0)
  })

  t.test('small host: the verbs', async (t) => {
    resetPeak()
    const ok = async (args: string[]) => {
      const r = await ssh(host, args)
      t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    t.match(await ok(['apps']), /pi/)
    await ok(['config:set', 'pi', 'GREETING=pi'])
    t.equal(await servedSoon(host, 'pi v4\n'), 'pi v4\n')
    t.equal((await ok(['config:get', 'pi', 'GREETING'])).trim(), 'pi')
    await ok(['ps:scale', 'pi', 'web=2'])
    const ps = JSON.parse(await ok(['ps', 'pi', '--json'])) as { instances: { kind: string }[] }
    t.equal(ps.instances.filter((i) => i.kind === 'web').length, 2)
    await ok(['restart', 'pi'])
    t.match(await ok(['releases', 'pi']), /v\d+/)
    t.match(await ok(['logs', 'pi', '-n', '20']), /./)
    t.equal(await servedSoon(host, 'pi v4\n'), 'pi v4\n')
    phaseDone('verbs')
    t.equal(oomKills(), 0)
  })

  t.test(`small host: every phase peaked within ${capMb} MB`, async (t) => {
    const limit = Math.round(Number(readGroup('memory.limit_in_bytes')) / 1048576)
    t.equal(limit, capMb)
    for (const [phase, { usageMb, rssMb }] of Object.entries(phases)) {
      t.ok(usageMb <= capMb && rssMb < capMb, `${phase}: peak ${usageMb} MB with page cache, ${rssMb} MB of the processes' own`)
    }
    t.equal(Object.keys(phases).length, 4)
    t.comment(`peak memory of the host's processes by phase (cap ${capMb} MB, node ${process.version}): ${JSON.stringify(phases)}`)
    if (process.env.PIKU_SMALL_HOST_REPORT) {
      writeFileSync(process.env.PIKU_SMALL_HOST_REPORT, JSON.stringify({ capMb, node: process.version, phases, startup: startupRatios(host) }) + '\n')
    }
  })
}
