// e2e safe releases: bad pushes are refused before the branch moves, redeploys under load lose no request,
// rollback, concurrent pushes, and the automatic rollback of a release that crashes after the switch.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, requestLoop, waitFor, waitRetired, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const host = await setupHost(t, { user: 'phsafe', sshPort: 22251, httpPort: 28051, httpsPort: 28451 })
const server = (version: string, extra = '') =>
  [
    "const http = require('http')",
    `http.createServer((req, res) => res.end('version ${version}\\n')).listen(process.env.PORT, process.env.BIND_ADDRESS)`,
    extra,
    '',
  ].join('\n')
const files = (version: string, extra = '') => ({
  'server.js': server(version, extra),
  Procfile: 'web: node server.js\n',
  ENV: 'NGINX_SERVER_NAME=safe.test\nPIKU_HEALTH_TIMEOUT=5\n',
})

async function remoteRef(host: TestHost, app: string): Promise<string> {
  const r = await run('git', ['ls-remote', `${host.user}@127.0.0.1:${app}`, 'refs/heads/main'], { env: { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand } })
  return r.stdout.split(/\s/)[0] ?? ''
}
const head = (dir: string) => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()

const app = makeApp(t, files('1'))

t.test('safe: first deploy serves', async (t) => {
  const r = await push(host, app, 'safe')
  t.equal(r.code, 0, r.stderr)
  t.equal((await httpGet(host, 'safe.test')).body, 'version 1\n')
})

t.test('safe: a Procfile line with no colon is refused naming line 1, and the branch does not move', async (t) => {
  const before = await remoteRef(host, 'safe')
  commitFiles(app, { Procfile: 'web node server.js\n' }, 'broken Procfile')
  const r = await push(host, app, 'safe')
  t.not(r.code, 0)
  t.match(r.stderr, /Procfile:1: /)
  t.match(r.stderr, /pre-receive hook declined/)
  t.equal(await remoteRef(host, 'safe'), before, 'branch unchanged')
  t.equal((await httpGet(host, 'safe.test')).body, 'version 1\n', 'the old release still serves')
  execFileSync('git', ['reset', '-q', '--hard', 'HEAD~1'], { cwd: app })
})

t.test('safe: a release that exits at start is refused, and the old version keeps answering', async (t) => {
  const before = await remoteRef(host, 'safe')
  commitFiles(app, { 'server.js': "console.error('cannot start'); process.exit(1)\n" }, 'exits at start')
  const r = await push(host, app, 'safe')
  t.not(r.code, 0)
  t.match(r.stderr, /did not answer on \/ within 5s; the previous release keeps serving/)
  t.match(r.stderr, /cannot start/, 'the worker log is shown')
  t.equal(await remoteRef(host, 'safe'), before)
  t.equal((await httpGet(host, 'safe.test')).body, 'version 1\n')
  const vassals = execFileSync('ls', [`${host.home}/uwsgi/vassals`], { encoding: 'utf8' }).trim().split('\n')
  const live = JSON.parse(readFileSync(`${host.home}/apps/safe/active.json`, 'utf8')).token
  const apps = vassals.filter((v) => !v.startsWith('@')) // '@…' files are the host's own (certificate renewal)
  t.same(apps.filter((v) => !v.startsWith(`safe@${live}@`)), [], 'nothing of the failed attempt is left running')
  execFileSync('git', ['reset', '-q', '--hard', 'HEAD~1'], { cwd: app })
})

t.test('safe: three redeploys under a steady loop of 20 requests a second lose no request', async (t) => {
  let deploying = true
  let ticks = 0 // the loop asks before each request whether to stop
  const loop = requestLoop(host, 'safe.test', 20, () => (ticks++, !deploying))
  t.ok(await waitFor(() => ticks >= 10), 'the loop runs before the first push')
  for (const v of ['2', '3', '4']) {
    commitFiles(app, files(v), `v${v}`)
    const r = await push(host, app, 'safe')
    t.equal(r.code, 0, r.stderr)
  }
  t.ok(await waitRetired(host, 'safe'), 'the replaced activation stopped after its drain')
  deploying = false
  const { ok, failed } = await loop
  t.comment(`requests: ${ok} answered, ${failed} failed`)
  t.ok(ok > 60, 'the loop ran')
  t.equal(failed, 0, 'no failed request')
  t.equal((await httpGet(host, 'safe.test')).body, 'version 4\n')
})

t.test('safe: releases lists what can be rolled back to, with who deployed it', async (t) => {
  const r = await ssh(host, ['releases', 'safe'])
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  t.match(lines[0], /^\* v\d+ +[0-9a-f]{7} .* e2e-phsafe +live +push/)
  const j = JSON.parse((await ssh(host, ['releases', 'safe', '--json'])).stdout)
  t.equal(j.releases[0].live, true)
  t.equal(j.releases[0].key, 'e2e-phsafe')
  t.equal(j.releases[0].commit, head(app))
})

t.test('safe: rollback serves the previous version, and rollback ID a given one', async (t) => {
  const r = await ssh(host, ['rollback', 'safe'])
  t.equal(r.code, 0, r.stderr)
  t.equal((await httpGet(host, 'safe.test')).body, 'version 3\n')
  const ids = JSON.parse((await ssh(host, ['releases', 'safe', '--json'])).stdout).releases.map((x: { id: string }) => x.id)
  const v4 = ids[0]
  const back = await ssh(host, ['rollback', 'safe', v4])
  t.equal(back.code, 0, back.stderr)
  t.equal((await httpGet(host, 'safe.test')).body, 'version 4\n')
  const bad = await ssh(host, ['rollback', 'safe', 'v999'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /release v999 is not kept/)
})

t.test('safe: two pushes at the same moment end with the served version equal to the branch', async (t) => {
  const other = makeApp(t, files('1'))
  // a second clone of the same history, so both pushes are fast-forwards of what the server has
  execFileSync('git', ['fetch', '-q', app, 'main'], { cwd: other })
  execFileSync('git', ['reset', '-q', '--hard', 'FETCH_HEAD'], { cwd: other })
  commitFiles(app, files('A'), 'A')
  commitFiles(other, files('B'), 'B')
  const [ra, rb] = await Promise.all([push(host, app, 'safe'), push(host, other, 'safe')])
  t.ok((ra.code === 0) !== (rb.code === 0) || (ra.code === 0 && rb.code === 0), 'at least one push landed')
  const branch = await remoteRef(host, 'safe')
  const served = (await httpGet(host, 'safe.test')).body
  const winner = branch === head(app) ? 'A' : branch === head(other) ? 'B' : '?'
  t.equal(served, `version ${winner}\n`, 'served version is the branch')
  const loser = winner === 'A' ? rb : ra
  if (loser.code !== 0) t.match(loser.stderr, /moved while this push waited|rejected|non-fast-forward|fetch first/)
  if (winner === 'B') {
    execFileSync('git', ['fetch', '-q', other, 'main'], { cwd: app })
    execFileSync('git', ['reset', '-q', '--hard', 'FETCH_HEAD'], { cwd: app })
  }
})

t.test('safe: a release that crashes soon after the switch is rolled back on its own', async (t) => {
  const served = (await httpGet(host, 'safe.test')).body
  commitFiles(app, files('crashy', 'setTimeout(() => process.exit(1), 1500)'), 'crashes after 1.5s')
  const r = await push(host, app, 'safe')
  t.equal(r.code, 0, r.stderr)
  let body = ''
  await waitFor(async () => {
    body = (await httpGet(host, 'safe.test')).body
    const rel = JSON.parse((await ssh(host, ['releases', 'safe', '--json'])).stdout).releases
    return body === served && rel.some((x: { outcome: string }) => x.outcome === 'rolled-back')
  }, 90_000, 500)
  t.equal(body, served, 'the previous version serves again')
  const rel = JSON.parse((await ssh(host, ['releases', 'safe', '--json'])).stdout).releases
  t.ok(rel.some((x: { outcome: string }) => x.outcome === 'rolled-back'), 'the crashed release is recorded as rolled back')
})
