// e2e faults: what a host meets (the OOM killer, a power cut, a full disk), injected while a steady loop of
// requests runs: the push hook killed with SIGKILL at each phase of a deploy, the emperor killed, every process
// of the user killed (a crash) followed by piku-boot, each state file truncated or corrupted, a full filesystem
// under the dependency cache during a build. After each: no failed request during deploy faults, the next push
// works, no vassal, worker, launcher folder or journal record belongs to anything but the live activation,
// and doctor names what it cleaned. One host and one app for all cases (kept quick).
import t, { type Test } from 'tap'
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, truncateSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, requestLoop, toolkitDir, waitRetired } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const USER = 'phfault'
const APP = 'fault'
const NAME = 'fault.test'
const host = await setupHost(t, { user: USER, sshPort: 22301, httpPort: 28101, httpsPort: 28501 })
const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim())
const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const home = host.home
const appHome = join(home, 'apps', APP)
const vassalDir = join(home, 'uwsgi', 'vassals')

// a node app (package.json, no dependencies: `npm install` runs when package.json changes), slow enough to
// start that a kill lands while its workers come up, with a release command
const server = (version: string) =>
  [
    "const http = require('http')",
    `setTimeout(() => http.createServer((req, res) => res.end('version ${version}\\n')).listen(process.env.PORT, process.env.BIND_ADDRESS), 400)`,
    '',
  ].join('\n')
const pkg = (build: string, postinstall?: string) => JSON.stringify({ name: 'fault', version: '1.0.0', private: true, description: build, scripts: postinstall ? { postinstall } : {} }, null, 2) + '\n'
const files = (version: string, build = 'b1', postinstall?: string) => ({
  'server.js': server(version),
  'package.json': pkg(build, postinstall),
  Procfile: 'web: node server.js\nworker: sleep 1000000\nrelease: sleep 0.5\n',
  ENV: `NGINX_SERVER_NAME=${NAME}\nPIKU_HEALTH_TIMEOUT=10\n`,
})
const app = makeApp(t, files('1'))
let version = 1
let build = 1

/** Commit a new version (and, when asked, a package.json that makes npm run again). */
function nextVersion(opts: { rebuild?: boolean; postinstall?: string } = {}): string {
  version++
  if (opts.rebuild) build++
  commitFiles(app, files(String(version), `b${build}`, opts.postinstall), `v${version}`)
  return `version ${version}\n`
}

const body = async () => {
  try {
    const r = await httpGet(host, NAME, '/', 3000)
    return r.status === 200 ? r.body : `status ${r.status}`
  } catch (e) {
    return `error ${(e as Error).message}`
  }
}

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await fn()) return true
  t.comment(`gave up waiting for ${what}`)
  return false
}

/** The user's processes: pid and command line. */
function userProcesses(): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (statSync(`/proc/${d}`).uid !== uid) continue
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${d}/stat`, 'utf8'))) continue
      out.push({ pid: Number(d), cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() })
    } catch {}
  }
  return out
}

function killHook(): number[] {
  const pids = userProcesses()
    .filter((p) => /(^| |\/)hooks\/pre-receive$/.test(p.cmdline)) // node running the app's hook file (git starts it as hooks/pre-receive)
    .map((p) => p.pid)
  for (const pid of pids) process.kill(pid, 'SIGKILL')
  return pids
}

const readJson = (f: string) => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'))
  } catch {
    return undefined
  }
}
const liveToken = (): string | undefined => readJson(join(appHome, 'active.json'))?.token
const nginxConf = () => {
  try {
    return readFileSync(join(home, 'nginx', `${APP}.conf`), 'utf8')
  } catch {
    return ''
  }
}

/**
 * `git push` that watches its own output and the app's state; `trigger` is asked after every line of output
 * and every 5 ms, and when it says so the hook is killed with SIGKILL. Resolves with the push's result.
 */
function pushAndKill(trigger: (output: string) => boolean): Promise<{ code: number; output: string; killed: number[] }> {
  return new Promise((done) => {
    const env = { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e@e', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e@e' }
    const child = spawn('git', ['push', `${USER}@127.0.0.1:${APP}`, 'main'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let killed: number[] = []
    const check = () => {
      if (killed.length === 0 && trigger(output)) killed = killHook()
    }
    child.stdout.on('data', (d) => ((output += d), check()))
    child.stderr.on('data', (d) => ((output += d), check()))
    const timer = setInterval(check, 5)
    child.on('close', (code) => {
      clearInterval(timer)
      done({ code: code ?? 1, output, killed })
    })
  })
}

/** Nothing but the live activation: vassal files, launcher folders, journal records, worker processes. */
async function nothingOrphaned(t: Test, what: string): Promise<void> {
  const clean = () => {
    const live = liveToken()
    if (!live) return false
    const vassals = readdirSync(vassalDir).filter((f) => f.startsWith(`${APP}@`))
    const runs = existsSync(join(appHome, 'run')) ? readdirSync(join(appHome, 'run')) : []
    const records = existsSync(join(appHome, 'activations')) ? readdirSync(join(appHome, 'activations')) : []
    const workers = userProcesses().filter((p) => p.cmdline.includes(`${appHome}/run/`) && !p.cmdline.includes(`/run/${live}/`))
    return vassals.every((v) => v.startsWith(`${APP}@${live}@`)) && vassals.length === 2 && runs.every((r) => r === live) && records.every((r) => r === `${live}.json`) && workers.length === 0
  }
  const ok = await waitFor(`nothing orphaned (${what})`, clean, 15_000)
  if (!ok) {
    t.comment(`live ${liveToken()}; vassals ${readdirSync(vassalDir).join(' ')}; run ${existsSync(join(appHome, 'run')) ? readdirSync(join(appHome, 'run')).join(' ') : ''}; activations ${existsSync(join(appHome, 'activations')) ? readdirSync(join(appHome, 'activations')).join(' ') : ''}`)
    t.comment(userProcesses().filter((p) => p.cmdline.includes('/run/')).map((p) => `${p.pid} ${p.cmdline}`).join('\n'))
  }
  t.ok(ok, `no orphan vassal, launcher, journal record or worker after ${what}`)
}

/** The next push (a new version) works under the request loop and serves. */
async function nextPushWorks(t: Test, what: string): Promise<void> {
  const expect = nextVersion()
  const r = await push(host, app, APP)
  t.equal(r.code, 0, `the next push after ${what} works: ${r.stderr.slice(-600)}`)
  t.equal(await body(), expect, 'and serves the new version')
}

t.test('faults: first deploy', async (t) => {
  const r = await push(host, app, APP)
  t.equal(r.code, 0, r.stderr)
  t.equal(await body(), 'version 1\n')
  t.ok(existsSync(join(appHome, 'activations', `${liveToken()}.json`)), 'the live activation is in the journal')
})

// each phase: how to know the deploy reached it, from its output or from what it wrote
const phases: { phase: string; rebuild?: boolean; reached: (out: string, before: string | undefined) => boolean }[] = [
  { phase: 'export', reached: (out) => /-----> deploying fault [0-9a-f]{7} as release/.test(out) },
  { phase: 'build', rebuild: true, reached: (out) => /installing dependencies with npm/.test(out) },
  { phase: 'release command', reached: (out) => /running release: sleep/.test(out) },
  { phase: 'workers started', reached: (out) => /waiting for 1 web worker\(s\) to answer/.test(out) },
  { phase: 'nginx switched', reached: (_out, before) => /return 200 "v\d+-/.test(nginxConf()) && !nginxConf().includes(`"${before}\\n"`) },
  { phase: 'post-switch', reached: (_out, before) => liveToken() !== undefined && liveToken() !== before },
]

for (const { phase, rebuild, reached } of phases) {
  t.test(`faults: the hook killed (SIGKILL) at ${phase}: no failed request, nothing left, the next push works`, async (t) => {
    const before = liveToken()
    const served = await body()
    nextVersion({ rebuild })
    let done = false
    const loop = requestLoop(host, NAME, 20, () => done)
    const r = await pushAndKill((out) => reached(out, before))
    t.ok(r.killed.length > 0, `the hook was killed at ${phase}`)
    t.not(r.code, 0, 'the push was refused')
    const now = await body()
    t.ok(now === served || now === `version ${version}\n`, `the app serves (${JSON.stringify(now)})`)
    if (phase === 'workers started') {
      // before anything cleans: ps names the activation that never switched, doctor removes it and says so
      const ps = await ssh(host, ['ps', APP])
      t.match(ps.stdout, /ORPHAN \(belongs to no live activation: it never switched/, 'ps shows the orphan')
      const doc = await ssh(host, ['doctor'])
      t.match(doc.stdout, /^warn\s+cleaned fault: removed activation v\d+-\w+ and its 2 worker\(s\): it never switched/m, 'doctor names what it cleaned')
    }
    await nextPushWorks(t, `a kill at ${phase}`)
    t.ok(await waitRetired(host, APP), 'the replaced activation stopped after its drain')
    done = true
    const { ok, failed } = await loop
    t.comment(`requests: ${ok} answered, ${failed} failed`)
    t.equal(failed, 0, 'no failed request')
    await nothingOrphaned(t, `a kill at ${phase}`)
    const releases = readdirSync(join(appHome, 'releases')).filter((f) => /^v\d+$/.test(f))
    const history = readFileSync(join(appHome, 'history.jsonl'), 'utf8')
    for (const id of releases) t.match(history, new RegExp(`"id":"${id}"`), `release ${id} on disk is one a deploy finished (or recorded as interrupted)`)
  })
}

t.test('faults: the emperor killed (SIGKILL): piku-boot brings the app back, nothing doubled', async (t) => {
  const served = await body()
  const pid = Number(readFileSync(join(home, 'uwsgi', 'emperor.pid'), 'utf8'))
  process.kill(pid, 'SIGKILL')
  await waitFor('the emperor to die', () => !userProcesses().some((p) => p.pid === pid))
  const boot = await run(join(toolkitDir, 'bin', 'piku-boot'), [USER])
  t.equal(boot.code, 0, boot.stdout + boot.stderr)
  t.ok(await waitFor('the app to answer', async () => (await body()) === served), 'the app answers again')
  const masters = () => userProcesses().filter((p) => p.cmdline.startsWith(`${APP}:web.1 `) && p.cmdline.includes('master'))
  await waitFor('one web master', () => masters().length === 1, 10_000)
  t.equal(masters().length, 1, 'one web worker master, not one per emperor')
  await nothingOrphaned(t, 'the emperor was killed')
  let done = false
  const loop = requestLoop(host, NAME, 20, () => done)
  await nextPushWorks(t, 'the emperor was killed')
  t.ok(await waitRetired(host, APP), 'the replaced activation stopped after its drain')
  done = true
  t.equal((await loop).failed, 0, 'no failed request during the next push')
})

t.test('faults: a host crash mid-deploy: kill -9 of every process of the user, then piku-boot', async (t) => {
  const served = await body()
  nextVersion()
  const env = { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand }
  const pushing = run('git', ['push', `${USER}@127.0.0.1:${APP}`, 'main'], { cwd: app, env })
  // the crash: once the new workers are starting, every process of the user dies at once (nginx, shared
  // by every suite on this machine, is root's and stays; piku-boot reloads it)
  await waitFor('the new workers to start', () => readdirSync(vassalDir).filter((f) => f.startsWith(`${APP}@`) && !f.startsWith(`${APP}@${liveToken()}@`)).length > 0)
  await run('pkill', ['-KILL', '-u', USER])
  await waitFor('every process of the user to die', () => userProcesses().length === 0, 10_000)
  t.not((await pushing).code, 0, 'the push died with the host')
  t.ok(readdirSync(vassalDir).some((f) => f.startsWith(`${APP}@`) && !f.startsWith(`${APP}@${liveToken()}@`)), 'the interrupted activation left vassal files')
  const boot = await run(join(toolkitDir, 'bin', 'piku-boot'), [USER])
  t.equal(boot.code, 0, boot.stdout + boot.stderr)
  t.match(boot.stdout, /fault: removed activation v\d+-\w+ and its 2 worker\(s\): it never switched/, 'piku-boot names what it cleaned')
  t.ok(await waitFor('the app to answer', async () => (await body()) === served), 'the previous release serves again')
  await nothingOrphaned(t, 'a crash and piku-boot')
  const doc = await ssh(host, ['doctor'])
  t.equal(doc.code, 0, doc.stdout)
  t.notMatch(doc.stdout, /cleaned/, 'nothing left for doctor')
  let done = false
  const loop = requestLoop(host, NAME, 20, () => done)
  await nextPushWorks(t, 'a crash')
  t.ok(await waitRetired(host, APP), 'the replaced activation stopped after its drain')
  done = true
  t.equal((await loop).failed, 0, 'no failed request during the next push')
  await nothingOrphaned(t, 'the push after the crash')
})

// state files: truncated (what a crash between write and rename can leave) or corrupted
const stateFiles: { name: string; path: () => string; damage: 'truncate' | 'corrupt' | 'remove'; doctorSays: RegExp }[] = [
  { name: 'active.json', path: () => join(appHome, 'active.json'), damage: 'truncate', doctorSays: /apps\/fault\/active\.json was unreadable \(empty\): rebuilt from the activation journal/ },
  { name: 'active.json', path: () => join(appHome, 'active.json'), damage: 'corrupt', doctorSays: /apps\/fault\/active\.json was unreadable \(not valid JSON\): rebuilt/ },
  { name: 'the live release plan', path: () => join(appHome, 'releases', `${readJson(join(appHome, 'active.json')).release}.json`), damage: 'truncate', doctorSays: /apps\/fault\/releases\/v\d+\.json was empty: restored from the activation journal/ },
  { name: 'the journal record', path: () => join(appHome, 'activations', `${liveToken()}.json`), damage: 'corrupt', doctorSays: /removed activation v\d+-\w+ and its 2 worker\(s\): its journal record was unreadable|journal: recorded the live activation/ },
  { name: 'state.json', path: () => join(home, 'config', APP, 'state.json'), damage: 'corrupt', doctorSays: /config\/fault\/state\.json was unreadable: rebuilt \(running\)/ },
  { name: 'SCALING', path: () => join(home, 'config', APP, 'SCALING'), damage: 'truncate', doctorSays: /config\/fault\/SCALING was unreadable \(empty\): rebuilt from v\d+'s counts/ },
  { name: 'the current link', path: () => join(appHome, 'current'), damage: 'remove', doctorSays: /apps\/fault\/current was missing: now v\d+/ },
]

t.test('faults: a SCALING file to damage', async (t) => {
  const r = await ssh(host, ['ps:scale', APP, 'worker=1'])
  t.equal(r.code, 0, r.stderr)
  t.ok(existsSync(join(home, 'config', APP, 'SCALING')))
})

for (const f of stateFiles) {
  t.test(`faults: ${f.name} ${f.damage === 'remove' ? 'removed' : f.damage === 'truncate' ? 'truncated to nothing' : 'corrupted'}: reported with its path, rebuilt, and the next push leaves nothing behind`, async (t) => {
    const served = await body()
    const file = f.path()
    if (f.damage === 'truncate') truncateSync(file, 0)
    else if (f.damage === 'remove') rmSync(file)
    else {
      mkdirSync(join(file, '..'), { recursive: true })
      writeFileSync(file, '{"token": "v1-\u0000garbage')
      execFileSync('chown', [`${uid}:${gid}`, file])
    }
    const ps = await ssh(host, ['ps', APP])
    t.equal(ps.code, 0, ps.stderr)
    if (f.name === 'active.json') {
      t.match(ps.stderr, /active\.json is (empty|damaged \(not valid JSON\)): using the activation journal/, 'ps reports the damaged file with its path')
      t.match(ps.stdout, /^web\.1\s+pid \d+/m, 'and still finds the live workers')
    }
    const doc = await ssh(host, ['doctor'])
    t.match(doc.stdout, f.doctorSays, `doctor names the repair: ${doc.stdout.split('\n').filter((l) => l.includes('cleaned')).join(' | ')}`)
    t.equal(await body(), served, 'the app kept serving')
    const again = await ssh(host, ['doctor'])
    t.notMatch(again.stdout, /cleaned/, 'repaired once: doctor finds nothing the second time')
    let done = false
    const loop = requestLoop(host, NAME, 20, () => done)
    await nextPushWorks(t, `damage to ${f.name}`)
    t.ok(await waitRetired(host, APP), 'the replaced activation stopped after its drain')
    done = true
    t.equal((await loop).failed, 0, 'no failed request during the next push')
    await nothingOrphaned(t, `damage to ${f.name}`)
  })
}

t.test('faults: a full filesystem under the dependency cache during a build refuses the push in one line', async (t) => {
  const deps = join(home, 'deps', APP)
  const served = await body()
  const before = (await run('git', ['--git-dir', join(home, 'repos', APP), 'rev-parse', 'main'])).stdout.trim()
  const configBefore = readFileSync(join(home, 'config', APP, 'SCALING'), 'utf8')
  const saved = `${deps}.saved`
  rmSync(saved, { recursive: true, force: true })
  execFileSync('mv', [deps, saved])
  mkdirSync(deps)
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=2m,mode=0750,uid=${uid},gid=${gid}`, 'tmpfs', deps])
  try {
    // the build writes 8 MB into a 2 MB filesystem
    nextVersion({ rebuild: true, postinstall: "node -e \"require('fs').writeFileSync('big', Buffer.alloc(8e6))\"" })
    let done = false
    const loop = requestLoop(host, NAME, 20, () => done)
    const r = await push(host, app, APP)
    done = true
    t.not(r.code, 0, 'the push is refused')
    t.match(r.stderr, /error: npm install failed: the filesystem of \/home\/phfault\/deps\/fault\/node-[0-9a-f]+ is full; the running release, repo and config are unchanged/, r.stderr.slice(-400))
    t.equal((await loop).failed, 0, 'no failed request')
    t.equal(await body(), served, 'the running release keeps serving')
    t.equal((await run('git', ['--git-dir', join(home, 'repos', APP), 'rev-parse', 'main'])).stdout.trim(), before, 'the branch did not move')
    t.equal(readFileSync(join(home, 'config', APP, 'SCALING'), 'utf8'), configBefore, 'config untouched')
    t.same(readdirSync(deps), [], 'the half-filled cache was removed')
  } finally {
    execFileSync('umount', [deps])
    rmSync(deps, { recursive: true, force: true })
    execFileSync('mv', [saved, deps])
  }
  // the next commit (without the filler) builds once there is room
  await nextPushWorks(t, 'the disk was full')
  await nothingOrphaned(t, 'a full disk')
})

t.test('faults: setup:ssh and keys:add at once lose no key', async (t) => {
  const dir = join(home, '..', `${USER}-keys`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const keys: { name: string; pub: string }[] = []
  for (let i = 0; i < 8; i++) {
    const name = `race${i}`
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)])
    keys.push({ name, pub: readFileSync(join(dir, `${name}.pub`), 'utf8') })
  }
  // half through setup:ssh (admin keys named by their comment), half through keys:add, all at the same moment
  const results = await Promise.all(keys.map((k, i) => (i % 2 ? ssh(host, ['keys:add', k.name, 'deploy', APP], { input: k.pub }) : ssh(host, ['setup:ssh'], { input: k.pub }))))
  for (const [i, r] of results.entries()) t.equal(r.code, 0, `${keys[i].name}: ${r.stderr}`)
  const authorized = readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')
  const db = readFileSync(join(home, 'config', '.keys.json'), 'utf8')
  for (const k of keys) {
    t.ok(authorized.includes(k.pub.split(' ')[1]), `${k.name} is in authorized_keys`)
    t.match(db, new RegExp(`"${k.name}"`), `${k.name} is in the key records`)
  }
  t.ok(authorized.includes(readFileSync(`${host.keyFile}.pub`, 'utf8').split(' ')[1]), 'the first admin key is still there')
  const list = await ssh(host, ['keys'])
  for (const k of keys) t.match(list.stdout, new RegExp(`\\b${k.name}\\b`), `keys lists ${k.name}`)
  t.same(readdirSync(join(home, 'run')).filter((f) => f.startsWith('keys.lock') || f.startsWith('.keys.lock')), [], 'no lock or temp file left')
})
