// e2e sandbox: each app in its own sandbox. App A's web process, a worker, its `release` command, its npm
// `postinstall` script and `run A` each try to read app B's secrets (its ENV, its plans, its data, its processes'
// environment through /proc), the keys file and another repo, and to write authorized_keys, B's hook, B's data and B's
// release: every attempt fails, while A writes its own DATA_ROOT, reaches nginx on loopback and serves. `ps` shows
// host pids; a redeploy drops no request; a pushed ENV that tries to widen the sandbox is refused.
import t, { type Test } from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, requestLoop, portOffset } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const user = 'phsbx'
const host = await setupHost(t, { user, sshPort: 22500, httpPort: 28300, httpsPort: 28700 })
const home = host.home
const SECRET = 'b-secret-7f3a9c'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// every attempt of app A, from inside whatever process runs it; prints one line `PROBE WHERE {json}`
const probe = `const fs = require('fs'), path = require('path'), http = require('http')
const where = process.argv[2] || 'web'
const home = ${JSON.stringify(home)}
const out = {}
const attempt = (name, f) => { try { const v = f(); out[name] = 'OK ' + String(v === undefined ? '' : v).slice(0, 200) } catch (e) { out[name] = 'DENIED ' + e.code } }
attempt('readBEnv', () => fs.readFileSync(home + '/config/b/ENV', 'utf8'))
attempt('listBReleases', () => fs.readdirSync(home + '/apps/b/releases').join(','))
attempt('readBPlan', () => fs.readFileSync(home + '/apps/b/releases/v1.json', 'utf8'))
attempt('readBLiveEnv', () => fs.readFileSync(home + '/config/b/LIVE_ENV', 'utf8'))
attempt('readBData', () => fs.readFileSync(home + '/data/b/secret.txt', 'utf8'))
attempt('readKeys', () => fs.readFileSync(home + '/config/.keys.json', 'utf8'))
attempt('readAuthorizedKeys', () => fs.readFileSync(home + '/.ssh/authorized_keys', 'utf8'))
attempt('readOtherRepo', () => fs.readFileSync(home + '/repos/b/HEAD', 'utf8'))
attempt('readAudit', () => fs.readFileSync(home + '/logs/.audit.log', 'utf8'))
attempt('procEnviron', () => {
  const found = []
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
    try { if (fs.readFileSync('/proc/' + pid + '/environ', 'latin1').includes(${JSON.stringify(SECRET)})) found.push(pid) } catch {}
  }
  if (!found.length) { const e = new Error('none'); e.code = 'NOTFOUND'; throw e }
  return found.join(',')
})
attempt('writeAuthorizedKeys', () => fs.appendFileSync(home + '/.ssh/authorized_keys', 'ssh-ed25519 AAAA pwned\\n'))
attempt('writeBHook', () => fs.appendFileSync(home + '/repos/b/hooks/pre-receive', '\\ntouch /tmp/phsbx-pwned\\n'))
attempt('writeBData', () => fs.writeFileSync(home + '/data/b/pwned', where))
attempt('writeBRelease', () => fs.writeFileSync(home + '/apps/b/releases/v1/pwned', where))
attempt('writeBConfig', () => fs.appendFileSync(home + '/config/b/ENV', 'PWNED=1\\n'))
attempt('seeSysCgroup', () => fs.readdirSync('/sys/fs/cgroup').length)
attempt('seePostgresSocket', () => fs.readdirSync('/run/postgresql').join(','))
attempt('writeOwnData', () => { fs.writeFileSync(path.join(process.env.DATA_ROOT, where + '.txt'), where); return 'written' })
const done = () => console.log('PROBE ' + where + ' ' + JSON.stringify(out))
const req = http.get({ host: '127.0.0.1', port: ${host.httpPort}, path: '/', headers: { Host: 'b.sbx.test' } }, (res) => {
  let body = ''
  res.on('data', (d) => (body += d))
  res.on('end', () => { out.reachNginx = 'OK ' + res.statusCode + ' ' + body.trim(); done() })
})
req.on('error', (e) => { out.reachNginx = 'DENIED ' + e.code; done() })
`
const web = `const http = require('http'), { execFileSync } = require('child_process')
http.createServer((q, s) => {
  if (q.url === '/probe') return s.end(execFileSync(process.execPath, [__dirname + '/probe.js', 'web']).toString())
  if (q.url === '/plant') {
    const fs = require('fs'), log = process.env.LOG_ROOT + '/web.1.log'
    fs.rmSync(log, { force: true })
    fs.symlinkSync(${JSON.stringify(home)} + '/config/b/ENV', log)
    return s.end('planted\\n')
  }
  s.end('a answers\\n')
}).listen(process.env.PORT, process.env.BIND_ADDRESS)
`
const worker = `const out = require('child_process').execFileSync(process.execPath, [__dirname + '/probe.js', 'worker']).toString()
require('fs').writeFileSync(process.env.DATA_ROOT + '/worker-probe.txt', out)
setInterval(() => {}, 60000)
`
const appA = {
  'probe.js': probe,
  'server.js': web,
  'worker.js': worker,
  'package.json': JSON.stringify({ name: 'a', version: '1.0.0', private: true, scripts: { postinstall: 'node "$HOME/apps/$APP/releases/$PIKU_RELEASE/probe.js" postinstall' } }),
  Procfile: 'web: node server.js\nworker: node worker.js\nrelease: node probe.js release\n',
  ENV: 'NGINX_SERVER_NAME=a.sbx.test\n',
}
const appB = {
  'server.js': "require('http').createServer((q, s) => s.end('b answers\\n')).listen(process.env.PORT, process.env.BIND_ADDRESS)\n",
  Procfile: 'web: node server.js\n',
  ENV: 'NGINX_SERVER_NAME=b.sbx.test\n',
}

type Probe = Record<string, string>
function probesIn(text: string): Record<string, Probe> {
  const found: Record<string, Probe> = {}
  for (const m of text.matchAll(/PROBE (\w+) (\{.*\})/g)) found[m[1]] = JSON.parse(m[2])
  return found
}

const DENIED = ['readBEnv', 'listBReleases', 'readBPlan', 'readBLiveEnv', 'readBData', 'readKeys', 'readAuthorizedKeys', 'readOtherRepo', 'readAudit', 'procEnviron', 'writeAuthorizedKeys', 'writeBHook', 'writeBData', 'writeBRelease', 'writeBConfig', 'seeSysCgroup', 'seePostgresSocket']

function judge(t: Test, where: string, p: Probe | undefined): void {
  t.ok(p, `${where}: the probe ran`)
  if (!p) return
  for (const k of DENIED) t.match(p[k], /^DENIED/, `${where}: ${k} fails (${p[k]})`)
  t.equal(p.writeOwnData, 'OK written', `${where}: writes its own DATA_ROOT`)
  t.match(p.reachNginx, /^OK 200 b answers/, `${where}: reaches nginx on loopback`)
}

const untouched = (t: Test) => {
  t.notMatch(readFileSync(`${home}/.ssh/authorized_keys`, 'utf8'), /pwned/, 'authorized_keys untouched')
  t.notMatch(readFileSync(`${home}/repos/b/hooks/pre-receive`, 'utf8'), /phsbx-pwned/, "B's hook untouched")
  t.notOk(existsSync(`${home}/data/b/pwned`), "B's data untouched")
  t.notOk(existsSync(`${home}/apps/b/releases/v1/pwned`), "B's release untouched")
  t.notMatch(readFileSync(`${home}/config/b/ENV`, 'utf8'), /PWNED/, "B's config untouched")
}

let pushOutput = ''
const a = makeApp(t, appA)
const b = makeApp(t, appB)

t.test('sandbox: B is deployed with a secret in its config and its data', async (t) => {
  t.equal((await push(host, b, 'b')).code, 0)
  const set = await ssh(host, ['config:set', 'b', `SECRET=${SECRET}`])
  t.equal(set.code, 0, set.stderr)
  const { writeFileSync, chownSync, statSync } = await import('node:fs')
  writeFileSync(`${home}/data/b/secret.txt`, SECRET)
  const st = statSync(`${home}/data/b`)
  chownSync(`${home}/data/b/secret.txt`, st.uid, st.gid)
  t.equal((await httpGet(host, 'b.sbx.test')).body, 'b answers\n')
})

t.test('sandbox: A\'s npm postinstall and release command try and fail; the push says nothing of an unsandboxed host', async (t) => {
  const r = await push(host, a, 'a')
  pushOutput = r.stdout + r.stderr
  t.equal(r.code, 0, pushOutput)
  t.notMatch(pushOutput, /NOT sandboxed/)
  const found = probesIn(pushOutput)
  judge(t, 'postinstall', found.postinstall)
  judge(t, 'release', found.release)
  untouched(t)
})

t.test('sandbox: A\'s web process and worker try and fail; A serves', async (t) => {
  t.equal((await httpGet(host, 'a.sbx.test')).body, 'a answers\n')
  const r = await httpGet(host, 'a.sbx.test', '/probe', 30_000)
  judge(t, 'web', probesIn(r.body).web)
  let log = '' // the worker writes what it found into its own DATA_ROOT
  for (let i = 0; i < 60 && !/PROBE worker/.test(log); i++) {
    await sleep(500)
    log = existsSync(`${home}/data/a/worker-probe.txt`) ? readFileSync(`${home}/data/a/worker-probe.txt`, 'utf8') : ''
  }
  judge(t, 'worker', probesIn(log).worker)
  t.equal(readFileSync(`${home}/data/a/worker.txt`, 'utf8'), 'worker', "the worker's own DATA_ROOT file is on the host")
  untouched(t)
})

t.test('sandbox: run A (a command and an interactive shell) tries and fails', async (t) => {
  const r = await ssh(host, ['run', 'a', '--', 'node', 'probe.js', 'run'])
  t.equal(r.code, 0, r.stderr)
  judge(t, 'run', probesIn(r.stdout).run)
  const tty = await ssh(host, ['run', 'a', '--', 'node probe.js tty; cat /proc/1/cmdline | tr "\\0" " "; echo'], { tty: true })
  judge(t, 'tty', probesIn(tty.stdout).tty)
  t.match(tty.stdout, /bwrap|sh/, 'pid 1 of its own /proc is the sandbox, not the host init')
  untouched(t)
})

t.test('sandbox: ps shows host pids and memory', async (t) => {
  const r = await ssh(host, ['ps', 'a'])
  t.equal(r.code, 0, r.stderr)
  const pids = [...r.stdout.matchAll(/^(\w+\.\d+)\s+pid (\d+)\s+([\d.]+) MB/gm)]
  t.equal(pids.length, 2, r.stdout)
  for (const [, inst, pid, mb] of pids) {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
    t.match(cmd, new RegExp(`^a:${inst.replace('.', '\\.')} uWSGI master`), `${inst}: pid ${pid} is the host's pid of its master`)
    t.ok(Number(mb) > 0, `${inst}: memory shown (${mb} MB)`)
  }
  t.notMatch(r.stdout, /NOT sandboxed|ORPHAN/)
})

t.test('sandbox: a redeploy drops no request', async (t) => {
  let stop = false
  const loop = requestLoop(host, 'a.sbx.test', 10, () => stop, 'a answers\n')
  await sleep(1000)
  commitFiles(a, { 'server.js': web + '// v2\n' })
  const r = await push(host, a, 'a')
  await sleep(2500) // the retired workers drain
  stop = true
  const { ok, failed } = await loop
  t.equal(r.code, 0, r.stderr)
  t.equal(failed, 0, `${ok} answered, ${failed} failed`)
  t.ok(ok > 10)
  // the previous activation's sandboxed workers stopped through the emperor
  const tokens = readdirSync(`${home}/apps/a/run`)
  t.equal(tokens.length, 1, `one activation folder left: ${tokens.join(', ')}`)
})

t.test('sandbox: a pushed ENV that widens the sandbox is refused with its line', async (t) => {
  commitFiles(a, { ENV: 'NGINX_SERVER_NAME=a.sbx.test\nPIKU_SANDBOX_BIND=/home\n' })
  const r = await push(host, a, 'a')
  t.not(r.code, 0)
  t.match(r.stderr, /ENV:2: PIKU_SANDBOX_BIND widens the app's sandbox/)
  t.equal((await httpGet(host, 'a.sbx.test')).body, 'a answers\n', 'the running release keeps serving')
  commitFiles(a, { ENV: 'NGINX_SERVER_NAME=a.sbx.test\n' })
})

t.test('sandbox: a pushed symlink or include cannot make nginx serve B\'s files or the system\'s', async (t) => {
  const { symlinkSync, mkdirSync } = await import('node:fs')
  // a static folder with a link out of the release: refused at deploy, naming it
  mkdirSync(join(a, 'public'), { recursive: true })
  symlinkSync(`${home}/apps/b/current`, join(a, 'public', 'peek'))
  commitFiles(a, { 'public/index.html': 'static a\n', ENV: 'NGINX_SERVER_NAME=a.sbx.test\nNGINX_STATIC_PATHS=/public/:public\n' })
  let r = await push(host, a, 'a')
  t.not(r.code, 0)
  t.match(r.stderr, /public\/peek: link\(s\) into the host's home outside this release/, 'a link into the home is refused before anything reads it')
  // a static folder with a link out of the release to a system file: refused too (nginx serves no link there)
  const { rmSync: rm } = await import('node:fs')
  rm(join(a, 'public', 'peek'))
  symlinkSync('/etc/passwd', join(a, 'public', 'peek'))
  commitFiles(a, {}, 'a link to the system')
  r = await push(host, a, 'a')
  t.not(r.code, 0)
  t.match(r.stderr, /static folder public\/?: public\/peek link\(s\) out of the app's release/)
  // an include that aliases the system or B's release, or names a file nginx opens as root: refused with its line
  const { rmSync } = await import('node:fs')
  rmSync(join(a, 'public', 'peek'))
  commitFiles(a, {
    'nginx.conf': `location /etc/ { alias /etc/; }\nlocation /b/ { root ${home}/apps/b; }\naccess_log ${home}/.ssh/authorized_keys;\n`,
    ENV: 'NGINX_SERVER_NAME=a.sbx.test\nNGINX_STATIC_PATHS=/public/:public\nNGINX_INCLUDE_FILE=nginx.conf\n',
  })
  r = await push(host, a, 'a')
  t.not(r.code, 0)
  t.match(r.stderr, /nginx\.conf:1: alias \/etc\/ is outside the app's release/)
  t.match(r.stderr, /nginx\.conf:2: root \S+\/apps\/b is outside the app's release/)
  t.match(r.stderr, /nginx\.conf:3: "access_log" cannot be used in an app's include/)
  // a clean static folder deploys; a link the app makes in it at run time is not followed by nginx
  commitFiles(a, { 'nginx.conf': '# nothing\n', ENV: 'NGINX_SERVER_NAME=a.sbx.test\nNGINX_STATIC_PATHS=/public/:public\n' })
  r = await push(host, a, 'a')
  t.equal(r.code, 0, r.stderr)
  t.equal((await httpGet(host, 'a.sbx.test', '/public/index.html')).body, 'static a\n')
  const ln = await ssh(host, ['run', 'a', '--', `ln -s /etc/passwd public/late && ln -s ${home}/apps/b/current/server.js public/bsrc && echo linked`])
  t.match(ln.stdout, /linked/, ln.stderr)
  for (const f of ['late', 'bsrc']) {
    const got = await httpGet(host, 'a.sbx.test', `/public/${f}`)
    t.not(got.status, 200, `/public/${f}: ${got.status}`)
    t.notMatch(got.body, /root:|createServer/, `/public/${f} serves nothing of what it points to`)
  }
  t.equal((await httpGet(host, 'a.sbx.test')).body, 'a answers\n')
})

t.test('sandbox: a pushed link into the home (an ENV that is B\'s ENV) is refused before anything reads it', async (t) => {
  const { symlinkSync, rmSync } = await import('node:fs')
  rmSync(join(a, 'ENV'))
  symlinkSync(`${home}/config/b/ENV`, join(a, 'ENV'))
  commitFiles(a, {}, 'ENV as a link')
  const r = await push(host, a, 'a')
  t.not(r.code, 0)
  t.match(r.stderr, /ENV: link\(s\) into the host's home outside this release/)
  t.notMatch(r.stderr, new RegExp(SECRET))
  rmSync(join(a, 'ENV'))
  commitFiles(a, { ENV: 'NGINX_SERVER_NAME=a.sbx.test\n' }, 'ENV back')
  t.equal((await push(host, a, 'a')).code, 0)
  t.equal((await httpGet(host, 'a.sbx.test')).body, 'a answers\n')
})

t.test('sandbox: a link the app plants in its log folder is not followed by logs or the watcher', async (t) => {
  t.equal((await httpGet(host, 'a.sbx.test', '/plant')).body, 'planted\n', 'the web process replaced its log with a link')
  const { lstatSync } = await import('node:fs')
  t.ok(lstatSync(`${home}/logs/a/web.1.log`).isSymbolicLink())
  const logs = await ssh(host, ['logs', 'a', '-n', '50'])
  t.notMatch(logs.stdout, new RegExp(SECRET), 'logs shows nothing of the link target')
})

t.test('sandbox: an admin widens one app\'s sandbox with config:set PIKU_SANDBOX_BIND', async (t) => {
  const { mkdirSync, writeFileSync, rmSync } = await import('node:fs')
  const shared = '/srv/phsbx-shared'
  mkdirSync(shared, { recursive: true })
  writeFileSync(`${shared}/hello`, 'shared\n')
  t.teardown(() => rmSync(shared, { recursive: true, force: true }))
  const before = await ssh(host, ['run', 'a', '--', `cat ${shared}/hello`])
  t.not(before.code, 0, 'not there before')
  const set = await ssh(host, ['config:set', 'a', `PIKU_SANDBOX_BIND=${shared}`])
  t.equal(set.code, 0, set.stderr)
  const after = await ssh(host, ['run', 'a', '--', `cat ${shared}/hello`])
  t.equal(after.stdout, 'shared\n', after.stderr)
  const other = await ssh(host, ['run', 'b', '--', `cat ${shared}/hello`])
  t.not(other.code, 0, 'only for that app')
  t.equal((await ssh(host, ['config:unset', 'a', 'PIKU_SANDBOX_BIND'])).code, 0)
})

t.comment(`ports offset ${portOffset}`)
