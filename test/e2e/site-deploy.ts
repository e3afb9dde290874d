// e2e site-deploy: the deploy controls of issue 13, through real ssh, git push, uwsgi and nginx:
// PIKU_DEPLOY_BRANCH, strict health rules (PIKU_HEALTH_STATUS / PIKU_HEALTH_CONTENT), logs:deploy, and
// PIKU_AUTO_RESTART=0 staging a push until restart or deploy.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const host = await setupHost(t, { user: 'phdeploy', sshPort: 22331, httpPort: 28131, httpsPort: 28531 })

/** A Node web app answering `text` on /, 404 "no such page" elsewhere except /ok (200 "fine"). */
const server = (text: string, rootStatus = 200) =>
  [
    "const http = require('http')",
    'http.createServer((req, res) => {',
    `  if (req.url === '/') { res.statusCode = ${rootStatus}; return res.end(${JSON.stringify(text + '\n')}) }`,
    "  if (req.url === '/ok') return res.end('fine\\n')",
    "  res.statusCode = 404; res.end('no such page\\n')",
    '}).listen(process.env.PORT, process.env.BIND_ADDRESS)',
    '',
  ].join('\n')

const gitEnv = (h: TestHost) => ({ ...process.env, GIT_SSH_COMMAND: h.gitSshCommand })
async function remoteRefs(h: TestHost, app: string): Promise<Record<string, string>> {
  const r = await run('git', ['ls-remote', '--symref', `${h.user}@127.0.0.1:${app}`], { env: gitEnv(h) })
  const refs: Record<string, string> = {}
  for (const line of r.stdout.trim().split('\n')) {
    const m = /^ref: (\S+)\s+HEAD$/.exec(line)
    if (m) refs['HEAD->'] = m[1]
    else {
      const [sha, ref] = line.split(/\s+/)
      if (ref) refs[ref] = sha
    }
  }
  return refs
}
const head = (dir: string) => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()

/** `git clone` of the app over ssh: the text of `file` in the checkout. */
async function clonedFile(t: Test, h: TestHost, app: string, file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'piku-hooks-clone-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const r = await run('git', ['clone', '-q', `${h.user}@127.0.0.1:${app}`, join(dir, 'c')], { env: gitEnv(h) })
  if (r.code !== 0) return `clone failed: ${r.stderr}`
  return readFileSync(join(dir, 'c', file), 'utf8')
}

async function releases(app: string): Promise<{ id: string; outcome: string; live: boolean; commit: string }[]> {
  const r = await ssh(host, ['releases', app, '--json'])
  return r.code === 0 ? JSON.parse(r.stdout).releases : []
}

t.test('deploy branch: an app whose ENV names production deploys only from production', async (t) => {
  const app = makeApp(t, { 'server.js': server('branch v1'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=branch.test\nPIKU_DEPLOY_BRANCH=production\n' })
  const onMain = await push(host, app, 'branch', 'main')
  t.equal(onMain.code, 0, onMain.stderr)
  t.match(onMain.stderr, /refs\/heads\/main: stored, not deployed \(production \(PIKU_DEPLOY_BRANCH\) deploys\)/)
  t.same(await releases('branch'), [], 'nothing deployed')
  t.equal((await httpGet(host, 'branch.test')).status, 404, 'nginx knows no such app yet')

  const onProd = await push(host, app, 'branch', 'main:production')
  t.equal(onProd.code, 0, onProd.stderr)
  t.match(onProd.stderr, /branch v1 is live/)
  t.equal((await httpGet(host, 'branch.test')).body, 'branch v1\n')
  const refs = await remoteRefs(host, 'branch')
  t.equal(refs['HEAD->'], 'refs/heads/production', 'HEAD names the deploy branch, so a clone checks it out')
  t.match(await clonedFile(t, host, 'branch', 'server.js'), /branch v1/)

  commitFiles(app, { 'server.js': server('branch v2') }, 'v2')
  const again = await push(host, app, 'branch', 'main')
  t.equal(again.code, 0, again.stderr)
  t.match(again.stderr, /stored, not deployed/)
  t.equal((await remoteRefs(host, 'branch'))['refs/heads/main'], head(app), 'main moved')
  t.equal((await httpGet(host, 'branch.test')).body, 'branch v1\n', 'a push to main does not deploy')

  const deployed = await push(host, app, 'branch', 'main:production')
  t.equal(deployed.code, 0, deployed.stderr)
  t.equal((await httpGet(host, 'branch.test')).body, 'branch v2\n')

  const redeploy = await ssh(host, ['deploy', 'branch'])
  t.equal(redeploy.code, 0, redeploy.stderr)
  t.equal((await releases('branch'))[0].commit, head(app), 'deploy APP builds the production commit')
})

t.test('deploy branch: config:set PIKU_DEPLOY_BRANCH wins over ENV, and a bad name is refused', async (t) => {
  const bad = await ssh(host, ['config:set', 'branch', 'PIKU_DEPLOY_BRANCH=no..pe'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /PIKU_DEPLOY_BRANCH="no\.\.pe": expected a branch name/)
  const set = await ssh(host, ['config:set', 'branch', 'PIKU_DEPLOY_BRANCH=main'])
  t.equal(set.code, 0, set.stderr)
  const app = makeApp(t, { 'server.js': server('branch from main'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=branch.test\nPIKU_DEPLOY_BRANCH=production\n' })
  const r = await push(host, app, 'branch', '+main:main')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /branch v\d+ is live/)
  t.equal((await httpGet(host, 'branch.test')).body, 'branch from main\n')
  t.equal((await remoteRefs(host, 'branch'))['HEAD->'], 'refs/heads/main')
  const other = await push(host, app, 'branch', '+main:production')
  t.match(other.stderr, /refs\/heads\/production: stored, not deployed \(main \(PIKU_DEPLOY_BRANCH\) deploys\)/)
})

t.test('health: a strict PIKU_HEALTH_STATUS refuses an app whose / answers 404, saying what came back', async (t) => {
  const files = (env: string, rootStatus = 404) => ({
    'server.js': server('not here', rootStatus),
    Procfile: 'web: node server.js\n',
    ENV: `NGINX_SERVER_NAME=health.test\nPIKU_HEALTH_TIMEOUT=4\n${env}`,
  })
  const app = makeApp(t, files(''))
  const lax = await push(host, app, 'health')
  t.equal(lax.code, 0, `the default rule takes any status below 500: ${lax.stderr}`)
  t.equal((await httpGet(host, 'health.test')).status, 404)

  commitFiles(app, files('PIKU_HEALTH_STATUS=200-399\n'), 'strict')
  const strict = await push(host, app, 'health')
  t.not(strict.code, 0)
  t.match(strict.stderr, /answered GET \/ with 404 "not here" \(status 404, expected 200-399 \(PIKU_HEALTH_STATUS\)\) for 4s; the previous release keeps serving/)
  t.match(strict.stderr, /pre-receive hook declined/)

  commitFiles(app, files('PIKU_HEALTH_STATUS=200,204\nPIKU_HEALTH_PATH=/ok\nPIKU_HEALTH_CONTENT=great\n'), 'wrong content')
  const content = await push(host, app, 'health')
  t.not(content.code, 0)
  t.match(content.stderr, /answered GET \/ok with 200 "fine" \(the body does not contain "great" \(PIKU_HEALTH_CONTENT\)\)/)

  commitFiles(app, files('PIKU_HEALTH_STATUS=2xx\nPIKU_HEALTH_PATH=/ok\nPIKU_HEALTH_CONTENT=fine\n'), 'right content')
  const good = await push(host, app, 'health')
  t.equal(good.code, 0, good.stderr)

  commitFiles(app, files('PIKU_HEALTH_STATUS=200-99\n'), 'bad rule')
  const badRule = await push(host, app, 'health')
  t.not(badRule.code, 0)
  t.match(badRule.stderr, /PIKU_HEALTH_STATUS="200-99": expected HTTP statuses such as 200, 200-399/)
})

t.test('logs:deploy: the log of a refused push can be read again, the newest by default', async (t) => {
  const latest = await ssh(host, ['logs:deploy', 'health'])
  t.equal(latest.code, 0, latest.stderr)
  t.match(latest.stderr, /deploy log of health v\d+ \(failed: .*PIKU_HEALTH_STATUS/)
  t.match(latest.stdout, /error: .*PIKU_HEALTH_STATUS="200-99"/)

  const rel = await releases('health')
  const history = readdirSync(`${host.home}/logs/health/deploys`).sort()
  t.ok(history.length >= 4, `kept logs: ${history.join(' ')}`)
  const strict = await ssh(host, ['logs:deploy', 'health', 'v2'])
  t.equal(strict.code, 0, strict.stderr)
  t.match(strict.stderr, /\(failed: /)
  t.match(strict.stdout, /waiting for 1 web worker\(s\) to answer on \//)
  t.match(strict.stdout, /answered GET \/ with 404 "not here"/)
  t.ok(rel.length > 0)

  const missing = await ssh(host, ['logs:deploy', 'health', 'v99'])
  t.not(missing.code, 0)
  t.match(missing.stderr, /no deploy log of v99 is kept \(kept: v\d+/)
  const bad = await ssh(host, ['logs:deploy', 'health', '../x'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /is not a release id/)
  const help = await ssh(host, ['help'])
  t.match(help.stdout, /logs:deploy APP \[RELEASE\]/)
})

const staging = (v: string, env = 'PIKU_AUTO_RESTART=0\n') => ({ 'server.js': server(`staged ${v}`), Procfile: 'web: node server.js\n', ENV: `NGINX_SERVER_NAME=stage.test\n${env}` })
const stageApp = makeApp(t, staging('v1'))

t.test('auto-restart off: a push is built, checked and staged; restart switches to it', async (t) => {
  const files = (v: string) => staging(v)
  const app = stageApp
  const first = await push(host, app, 'stage')
  t.equal(first.code, 0, first.stderr)
  t.match(first.stderr, /stage v1 is live/, 'the first push goes live: nothing serves yet')
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v1\n')

  commitFiles(app, files('v2'), 'v2')
  const second = await push(host, app, 'stage')
  t.equal(second.code, 0, second.stderr)
  t.match(second.stderr, /waiting for 1 web worker\(s\) to answer on \//, 'the staged release was started and checked')
  t.match(second.stderr, /stage v2 is staged \([\d.]+s\); v1 keeps serving until "restart stage" or "deploy stage"/)
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v1\n', 'the old release keeps serving')
  t.equal((await remoteRefs(host, 'stage'))['refs/heads/main'], head(app), 'the branch moved: the push is stored')
  t.match(await clonedFile(t, host, 'stage', 'server.js'), /staged v2/, 'a clone shows the pushed code')
  const rows = await releases('stage')
  t.match(rows[0], { id: 'v2', outcome: 'staged', live: false })
  t.match(rows[1], { id: 'v1', outcome: 'live', live: true })
  const text = await ssh(host, ['releases', 'stage'])
  t.match(text.stdout, /^ {2}v2 .* staged /m)
  const live = JSON.parse(readFileSync(`${host.home}/apps/stage/active.json`, 'utf8')).token
  const vassals = readdirSync(`${host.home}/uwsgi/vassals`).filter((v) => v.startsWith('stage@'))
  t.same(vassals.filter((v) => !v.startsWith(`stage@${live}@`)), [], "the staged release's check workers are stopped again")

  const restart = await ssh(host, ['restart', 'stage'])
  t.equal(restart.code, 0, restart.stderr)
  t.match(restart.stderr, /switching stage from v1 to the staged release v2/)
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v2\n')
  t.match((await releases('stage'))[0], { id: 'v2', outcome: 'live', live: true })
})

t.test('auto-restart off: deploy APP switches to the staged release; a failing push stages nothing', async (t) => {
  const dir = stageApp
  commitFiles(dir, staging('v3', 'PIKU_AUTO_RESTART=false\nPIKU_HEALTH_TIMEOUT=4\n'), 'v3')
  const r = await push(host, dir, 'stage')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /stage v3 is staged/)
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v2\n')

  commitFiles(dir, { 'server.js': "process.exit(1)\n" }, 'broken')
  const broken = await push(host, dir, 'stage')
  t.not(broken.code, 0, 'a staged release is health-checked too')
  t.match(broken.stderr, /did not answer on \/ within 4s/)
  execFileSync('git', ['reset', '-q', '--hard', 'HEAD~1'], { cwd: dir })

  const deploy = await ssh(host, ['deploy', 'stage'])
  t.equal(deploy.code, 0, deploy.stderr)
  t.match(deploy.stderr, /switching stage from v2 to the staged release v3/)
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v3\n')
  const again = await ssh(host, ['restart', 'stage'])
  t.equal(again.code, 0, again.stderr)
  t.match(again.stderr, /restarting stage v3/, 'with nothing staged, restart restarts the live release')
  t.equal((await httpGet(host, 'stage.test')).body, 'staged v3\n')

  const badValue = await ssh(host, ['config:set', 'stage', 'PIKU_AUTO_RESTART=maybe'])
  t.not(badValue.code, 0)
  t.match(badValue.stderr, /PIKU_AUTO_RESTART="maybe": expected true or false/)
})

t.test('node version: engines.node the host satisfies deploys; one it does not is refused with one line', async (t) => {
  const pkg = (engines?: string) => JSON.stringify({ name: 'nv', version: '1.0.0', private: true, ...(engines ? { engines: { node: engines } } : {}) })
  const app = makeApp(t, { 'package.json': pkg('>=18 <99'), 'server.js': server('node fits'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=nv.test\n' })
  const fits = await push(host, app, 'nv')
  t.equal(fits.code, 0, fits.stderr)
  t.match(fits.stderr, /the host's Node v\d+\.\d+\.\d+ satisfies package\.json engines\.node ">=18 <99"/)
  t.equal((await httpGet(host, 'nv.test')).body, 'node fits\n')

  commitFiles(app, { 'package.json': pkg('>=99') }, 'needs node 99')
  const refused = await push(host, app, 'nv')
  t.not(refused.code, 0)
  t.match(refused.stderr, /package\.json engines\.node ">=99": the app needs Node >=99, this host has v\d+\.\d+\.\d+; install nodeenv on the host \(apt install nodeenv\)/)
  t.match(refused.stderr, /pre-receive hook declined/)

  commitFiles(app, { 'package.json': pkg('>=99'), ENV: 'NGINX_SERVER_NAME=nv.test\nNODE_VERSION=16.20.2\n' }, 'NODE_VERSION wins')
  const exact = await push(host, app, 'nv')
  t.not(exact.code, 0)
  t.match(exact.stderr, /NODE_VERSION "16\.20\.2": the app needs Node 16\.20\.2, this host has v\d+/, 'NODE_VERSION wins over engines.node')

  commitFiles(app, { ENV: 'NGINX_SERVER_NAME=nv.test\nNODE_VERSION=latest\n' }, 'not a version')
  const bad = await push(host, app, 'nv')
  t.not(bad.code, 0)
  t.match(bad.stderr, /NODE_VERSION "latest": not a version range/)
  t.equal((await httpGet(host, 'nv.test')).body, 'node fits\n', 'the first release keeps serving')
})
