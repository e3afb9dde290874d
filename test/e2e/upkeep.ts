// e2e upkeep: a host that looks after itself without cron: bounded worker logs, pruned releases, deploy logs
// and caches, backup and restore over ssh, doctor, piku-boot after the emperor died, re-running install.sh
// while an app serves, and no crontab for the user.
import t from 'tap'
import { spawn } from 'node:child_process'
import { chownSync, closeSync, existsSync, openSync, lstatSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, repoRoot, requestLoop, toolkitDir, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const USER = 'phupkeep'
const TOOLKIT = toolkitDir
const host = await setupHost(t, { user: USER, sshPort: 22281, httpPort: 28081, httpsPort: 28481 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const scratch = join(tmpdir(), 'piku-hooks-e2e', `${USER}-files`)
rmSync(scratch, { recursive: true, force: true })
await run('mkdir', ['-p', scratch])
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

/** ssh with stdout into a file, or stdin from one (archives are binary). */
function sshFile(host: TestHost, args: string[], io: { out?: string; in?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...sshArgs] = host.gitSshCommand.split(' ')
  const outFd = io.out ? openSync(io.out, 'w', 0o600) : undefined
  const inFd = io.in ? openSync(io.in, 'r') : undefined
  return new Promise((done, failed) => {
    const child = spawn(cmd, [...sshArgs, `${host.user}@127.0.0.1`, ...args], { stdio: [inFd ?? 'ignore', outFd ?? 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    child.on('error', failed)
    child.on('close', (code) => {
      if (outFd !== undefined) closeSync(outFd)
      if (inFd !== undefined) closeSync(inFd)
      done({ code: code ?? 1, stdout, stderr })
    })
  })
}

/** As the user on the host, with extra environment: `piku-ssh --local ARGS`. */
function local(args: string[], env: Record<string, string> = {}) {
  const vars = Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: host.home, USER, ...env }).map(([k, v]) => `${k}=${v}`)
  return run('runuser', ['-u', USER, '--', 'env', '-i', ...vars, join(TOOLKIT, 'bin', 'piku-ssh'), '--local', ...args])
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await fn()) return true
  t.comment(`gave up waiting for ${what}`)
  return false
}

const body = async (name: string) => {
  try {
    const r = await httpGet(host, name, '/', 3000)
    return r.status === 200 ? r.body : `status ${r.status}`
  } catch (e) {
    return `error ${(e as Error).message}`
  }
}

const server = (extra = '') =>
  [
    "const http = require('http'), fs = require('fs'), path = require('path')",
    "const note = () => { try { return fs.readFileSync(path.join(process.env.DATA_ROOT, 'note.txt'), 'utf8').trim() } catch { return 'no note' } }",
    `http.createServer((req, res) => res.end(\`\${process.env.GREETING || 'hi'} \${note()}${extra}\\n\`)).listen(process.env.PORT, process.env.BIND_ADDRESS)`,
    '',
  ].join('\n')

t.test('upkeep: a worker writing 200 KB/s for 30 s leaves at most about 2 MiB of logs', async (t) => {
  const line = 'x'.repeat(99)
  const dir = makeApp(t, {
    Procfile: `worker: while :; do yes ${line} | head -c 20480; sleep 0.1; done\n`,
  })
  const r = await push(host, dir, 'noisy')
  t.equal(r.code, 0, r.stderr)
  const logs = join(host.home, 'logs', 'noisy')
  const size = (f: string) => (existsSync(join(logs, f)) ? statSync(join(logs, f)).size : 0)
  // watched for 30 s (about 6 MB written), sampled often so the peak is seen; it must have rotated by then
  let peak = 0
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(100)) peak = Math.max(peak, size('worker.1.log') + size('worker.1.log.old'))
  const files = readdirSync(logs).filter((f) => f.startsWith('worker.1.log'))
  t.same(files.sort(), ['worker.1.log', 'worker.1.log.old'], 'one log and one rotated copy, nothing else')
  t.ok(size('worker.1.log.old') >= 1024 * 1024, `it rotated (old copy ${size('worker.1.log.old')} bytes)`)
  t.ok(peak <= 2.5 * 1024 * 1024, `at most about 2 MiB at any time (peak ${peak} bytes, ~6 MB written)`)
  const deployLog = join(logs, 'deploys', 'v1.log')
  t.ok(existsSync(deployLog), 'the push output is kept')
  t.equal(statSync(deployLog).mode & 0o777, 0o600)
  t.match(readFileSync(deployLog, 'utf8'), /deploying noisy [0-9a-f]{7} as release v1/)
  const stop = await ssh(host, ['stop', 'noisy'])
  t.equal(stop.code, 0, stop.stderr)
})

t.test('upkeep: after eight deploys only five releases remain, with their deploy logs and dependency caches', async (t) => {
  const pkg = (n: number) => JSON.stringify({ name: 'many', version: `1.0.${n}`, private: true, scripts: { start: 'node server.js' } }, null, 2) + '\n'
  const dir = makeApp(t, { 'package.json': pkg(1), 'server.js': server(), ENV: 'NGINX_SERVER_NAME=many.test\n' })
  for (let n = 1; n <= 8; n++) {
    if (n > 1) commitFiles(dir, { 'package.json': pkg(n) }, `deploy ${n}`)
    const r = await push(host, dir, 'many')
    t.equal(r.code, 0, `push ${n}: ${r.stderr.slice(-400)}`)
  }
  const rel = join(host.home, 'apps', 'many', 'releases')
  t.same(readdirSync(rel).filter((f) => /^v\d+$/.test(f)).sort(), ['v4', 'v5', 'v6', 'v7', 'v8'])
  t.same(readdirSync(join(host.home, 'logs', 'many', 'deploys')).sort(), ['v4.log', 'v5.log', 'v6.log', 'v7.log', 'v8.log'])
  const caches = readdirSync(join(host.home, 'deps', 'many')).filter((f) => f.startsWith('node-'))
  t.equal(caches.length, 5, `one dependency cache per kept release (${caches.join(' ')})`)
  const used = ['v4', 'v5', 'v6', 'v7', 'v8'].map((v) => (JSON.parse(readFileSync(join(rel, `${v}.json`), 'utf8')) as { depsDir: string }).depsDir.split('/').pop())
  t.same(caches.sort(), [...used].sort(), 'exactly the caches the kept releases use')
  t.equal(await body('many.test'), 'hi no note\n')
  // the kept oldest release still runs: its cache is there
  const back = await ssh(host, ['rollback', 'many', 'v4'])
  t.equal(back.code, 0, back.stderr)
  t.equal(await body('many.test'), 'hi no note\n')
})

t.test('upkeep: backup, destroy and restore give back the app with its config and data, serving', async (t) => {
  const dir = makeApp(t, { Procfile: 'web: node server.js\n', 'server.js': server(), ENV: 'NGINX_SERVER_NAME=keep.test\n' })
  t.equal((await push(host, dir, 'keep')).code, 0)
  const set = await ssh(host, ['config:set', 'keep', 'GREETING=hello'])
  t.equal(set.code, 0, set.stderr)
  const note = join(host.home, 'data', 'keep', 'note.txt')
  writeFileSync(note, 'saved\n')
  const { uid, gid } = statSync(join(host.home, 'data', 'keep'))
  chownSync(note, uid, gid)
  t.equal(await body('keep.test'), 'hello saved\n')

  const archive = join(scratch, 'keep.tar.gz')
  const b = await sshFile(host, ['backup', 'keep'], { out: archive })
  t.equal(b.code, 0, b.stderr)
  const list = await run('tar', ['-tzf', archive])
  t.equal(list.code, 0)
  const names = list.stdout.trim().split('\n')
  t.equal(names[0], 'manifest.json', 'the manifest comes first')
  t.ok(names.includes('repos/keep/HEAD') && names.includes('config/keep/ENV') && names.includes('data/keep/note.txt'), 'repo, config and data are in it')
  t.notOk(names.some((n) => n.includes('LIVE_ENV')), 'not the resolved environment')

  const d = await ssh(host, ['destroy', 'keep', '--data'])
  t.equal(d.code, 0, d.stderr)
  t.notOk(existsSync(join(host.home, 'repos', 'keep')), 'destroyed')
  t.not(await body('keep.test'), 'hello saved\n')

  const r = await sshFile(host, ['restore', 'keep'], { in: archive })
  t.equal(r.code, 0, r.stderr)
  t.equal(await body('keep.test'), 'hello saved\n', 'serves with its config and data')
  const cfg = await ssh(host, ['config:get', 'keep', 'GREETING'])
  t.equal(cfg.stdout.trim(), 'hello')
  const restoredHook = join(host.home, 'repos', 'keep', 'hooks', 'pre-receive')
  t.ok(lstatSync(restoredHook).isFile() && (statSync(restoredHook).mode & 0o100) !== 0, 'the restored repo has its pre-receive hook as an executable file')
  commitFiles(dir, { 'server.js': server(' again') }, 'after restore')
  const again = await push(host, dir, 'keep')
  t.equal(again.code, 0, `a push after the restore deploys: ${again.stderr.slice(-300)}`)
  t.equal(await body('keep.test'), 'hello saved again\n')

  const twice = await sshFile(host, ['restore', 'keep'], { in: archive })
  t.not(twice.code, 0)
  t.match(twice.stderr, /app "keep" exists: restore keep --force/)
  t.equal(await body('keep.test'), 'hello saved again\n', 'refused: nothing changed')
  const forced = await sshFile(host, ['restore', 'keep', '--force'], { in: archive })
  t.equal(forced.code, 0, forced.stderr)
  t.equal(await body('keep.test'), 'hello saved\n', '--force replaces it with the backup')
})

t.test("upkeep: an app's basic-auth users travel with its backup", async (t) => {
  const dir = makeApp(t, { Procfile: 'web: node server.js\n', 'server.js': server(), ENV: 'NGINX_SERVER_NAME=locked.test\n' })
  t.equal((await push(host, dir, 'locked')).code, 0)
  const add = await ssh(host, ['auth:add', 'locked', 'alice'], { input: 's3cret-pass\n' })
  t.equal(add.code, 0, add.stderr)
  const authFile = join(host.home, 'auth', 'locked.htpasswd')
  const stored = readFileSync(authFile, 'utf8')
  t.equal(await body('locked.test'), 'status 401', 'basic auth is on')

  const archive = join(scratch, 'locked.tar.gz')
  t.equal((await sshFile(host, ['backup', 'locked'], { out: archive })).code, 0)
  const list = await run('tar', ['-tzf', archive])
  t.ok(list.stdout.split('\n').includes('auth.htpasswd'), 'the users file is in the archive')
  t.equal((await ssh(host, ['destroy', 'locked', '--data'])).code, 0)
  t.notOk(existsSync(authFile), 'destroy removed the users file')

  const r = await sshFile(host, ['restore', 'locked'], { in: archive })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /basic-auth users of "locked" restored: alice/)
  t.equal(readFileSync(authFile, 'utf8'), stored, 'the same hashes: the same passwords work')
  t.equal(statSync(authFile).mode & 0o007, 0, 'nothing for other users')
  const asNginx = await run('setpriv', ['--reuid=www-data', '--regid=www-data', '--clear-groups', 'cat', authFile])
  t.equal(asNginx.code, 0, `nginx's workers read it: ${asNginx.stderr}`)
  t.match((await ssh(host, ['auth', 'locked'])).stdout, /alice/)
  t.equal(await body('locked.test'), 'status 401', 'the restored site asks for the password again')
  t.equal((await ssh(host, ['destroy', 'locked', '--data'])).code, 0)
})

t.test('upkeep: a corrupt or foreign archive is refused and changes nothing', async (t) => {
  const garbage = join(scratch, 'garbage.tar.gz')
  writeFileSync(garbage, Buffer.from('this is not an archive at all\n'.repeat(50)))
  const r = await sshFile(host, ['restore', 'other'], { in: garbage })
  t.not(r.code, 0)
  t.match(r.stderr, /not a gzip tar archive, or it is damaged.*nothing changed/)

  const foreignDir = join(scratch, 'foreign')
  await run('mkdir', ['-p', join(foreignDir, 'etc')])
  writeFileSync(join(foreignDir, 'etc', 'passwd'), 'root:x:0:0\n')
  const foreign = join(scratch, 'foreign.tar.gz')
  await run('tar', ['-czf', foreign, '-C', foreignDir, 'etc'])
  const f = await sshFile(host, ['restore', 'other'], { in: foreign })
  t.not(f.code, 0)
  t.match(f.stderr, /does not start with manifest\.json: this is not a piku-hooks backup/)

  // a real manifest, then a member that climbs out
  const evilDir = join(scratch, 'evil')
  await run('mkdir', ['-p', join(evilDir, 'repos', 'other')])
  writeFileSync(join(evilDir, 'manifest.json'), JSON.stringify({ format: 'piku-hooks-backup', version: 1, app: 'other', created: 'now' }))
  writeFileSync(join(evilDir, 'repos', 'other', 'HEAD'), 'ref: refs/heads/main\n')
  writeFileSync(join(evilDir, 'x'), 'owned\n')
  const evil = join(scratch, 'evil.tar.gz')
  await run('tar', ['-czf', evil, '-C', evilDir, 'manifest.json', 'repos', '--transform', 's,^x$,../../x,', '-P', 'x'])
  const e = await sshFile(host, ['restore', 'other'], { in: evil })
  t.not(e.code, 0)
  t.match(e.stderr, /leaves the backup's folder; refused/)

  for (const p of ['repos/other', 'config/other', 'data/other', 'apps/other']) t.notOk(existsSync(join(host.home, p)), `no ${p}`)
  t.notOk(existsSync(join(host.home, '..', 'x')), 'nothing written outside')
  t.same(readdirSync(join(host.home, 'run')).filter((f) => f.startsWith('restore-')), [], 'temp folders removed')
})

t.test('upkeep: doctor passes on a healthy host and names nginx when it is down', async (t) => {
  const ok = await ssh(host, ['doctor'])
  t.equal(ok.code, 0, ok.stdout + ok.stderr)
  t.notMatch(ok.stdout, /^FAIL/m)
  t.match(ok.stdout, /^ok\s+nginx: running/m)
  t.match(ok.stdout, /^ok\s+uwsgi emperor: running/m)
  t.match(ok.stdout, /^ok\s+app keep: v\d+ running, 1 web worker\(s\) answering/m)
  t.match(ok.stdout, /^ok\s+app noisy: stopped/m)
  const json = await ssh(host, ['doctor', '--json'])
  t.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true)

  // nginx serves every engineer's tests on this machine: point doctor at a pid file with no nginx behind it
  const down = await local(['doctor'], { PIKU_NGINX_PIDFILE: join(host.home, 'run', 'no-nginx.pid') })
  t.equal(down.code, 1, down.stdout + down.stderr)
  t.match(down.stdout, /^FAIL\s+nginx: not running .*piku-boot phupkeep/m)
})

t.test('upkeep: piku-boot brings the host back after the emperor died; a stopped app stays stopped', async (t) => {
  t.equal(await body('keep.test'), 'hello saved\n')
  const pid = Number(readFileSync(join(host.home, 'uwsgi', 'emperor.pid'), 'utf8'))
  process.kill(pid, 'SIGINT')
  t.ok(await waitFor('keep to stop answering', async () => (await body('keep.test')) !== 'hello saved\n'), 'the app stops answering')
  // the emperor buries its vassals first, then exits (PID 1 here may leave it a zombie)
  const gone = () => {
    try {
      return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    } catch {
      return true
    }
  }
  t.ok(await waitFor('the emperor to exit', async () => gone()), 'the emperor exited')
  const doc = await ssh(host, ['doctor'])
  t.equal(doc.code, 1)
  t.match(doc.stdout, /^FAIL\s+uwsgi emperor: not running/m)
  t.match(doc.stdout, /^FAIL\s+app keep: /m)

  const boot = await run(join(TOOLKIT, 'bin', 'piku-boot'), [USER])
  t.equal(boot.code, 0, boot.stderr)
  t.ok(await waitFor('keep to answer again', async () => (await body('keep.test')) === 'hello saved\n'), 'the app answers again')
  const doctor = await ssh(host, ['doctor'])
  t.equal(doctor.code, 0, `doctor passes again: ${doctor.stdout}${doctor.stderr}`)
  t.same(readdirSync(join(host.home, 'uwsgi', 'vassals')).filter((f) => f.startsWith('noisy@')), [], 'the stopped app has no vassal')
  const ps = await run('pgrep', ['-u', USER, '-f', 'noisy'])
  t.equal(ps.stdout.trim(), '', 'and no process')
})

t.test('upkeep: re-running install.sh upgrades the toolkit in place, turns old hook links into files and the app serves throughout', async (t) => {
  // an older toolkit: a file the checkout does not have, and an app whose hook is a link to the toolkit's
  // bin/ shim, as installs before per-repo hooks made them
  writeFileSync(join(TOOLKIT, '.older-toolkit'), 'x\n')
  const hook = join(host.home, 'repos', 'keep', 'hooks', 'pre-receive')
  rmSync(hook)
  symlinkSync(join(TOOLKIT, 'bin', 'pre-receive'), hook)
  const install = run('bash', ['./install.sh', '--user', USER, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`, '--listen', '127.0.0.1', '--key', `${host.keyFile}.pub`, '--toolkit', TOOLKIT, '--no-build'], { cwd: repoRoot })
  let installed = false
  void install.finally(() => (installed = true))
  const loop = await requestLoop(host, 'keep.test', 20, () => installed, 'hello saved\n')
  const r = await install
  t.equal(r.code, 0, r.stderr)
  t.ok(loop.ok > 10, `${loop.ok} requests answered during the re-install`)
  t.equal(loop.failed, 0, 'no request failed')
  t.notOk(existsSync(join(TOOLKIT, '.older-toolkit')), 'the toolkit was replaced')
  t.ok(lstatSync(hook).isFile(), 'the old link is now the hook file itself')
  t.match(r.stdout + r.stderr, /keep/, 'install.sh names the app whose hook it refreshed')
  const dir = makeApp(t, { Procfile: 'web: node server.js\n', 'server.js': server(), ENV: 'NGINX_SERVER_NAME=after.test\n' })
  const p = await push(host, dir, 'after')
  t.equal(p.code, 0, p.stderr)
  t.equal(await body('after.test'), 'hi no note\n')
})

t.test('upkeep: the user has no crontab', async (t) => {
  const which = await run('sh', ['-c', 'command -v crontab'])
  if (which.code === 0) {
    const r = await run('crontab', ['-l', '-u', USER])
    t.not(r.code, 0)
    t.match(r.stderr, /no crontab/)
  } else {
    t.comment('crontab is not installed here: checking the spool directly')
  }
  for (const spool of ['/var/spool/cron/crontabs', '/var/spool/cron']) t.notOk(existsSync(join(spool, USER)), `no ${join(spool, USER)}`)
})
