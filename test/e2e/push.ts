// e2e push: the one real path. install.sh, a real git push over ssh of a Node app with an npm dependency
// and of a static site, HTTP through nginx, a second push, apps, clone, re-install, bad input.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, repoRoot } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const host = await setupHost(t, { user: 'phpush', sshPort: 22211, httpPort: 28011, httpsPort: 28411 })

const express = {
  'package.json': JSON.stringify({ name: 'hello', version: '1.0.0', private: true, dependencies: { express: '^4.19.2' } }, null, 2),
  'index.js': [
    "const express = require('express')",
    'const app = express()',
    "app.get('/', (req, res) => res.send(`hello ${process.env.GREETING} v1\\n`))",
    'app.listen(process.env.PORT, process.env.BIND_ADDRESS)',
    '',
  ].join('\n'),
  Procfile: 'web: node index.js\n',
  ENV: 'NGINX_SERVER_NAME=hello.test\nGREETING=world\n',
}
const nodeApp = makeApp(t, express)
// a real lockfile, as a user would commit it
execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: nodeApp, stdio: 'ignore' })
commitFiles(nodeApp, {}, 'lockfile')
const site = makeApp(t, { 'public/index.html': '<h1>a static site</h1>\n', Procfile: 'static: public\n', ENV: 'NGINX_SERVER_NAME=site.test\n' })

t.test('push: a Node app with an npm dependency serves through nginx', async (t) => {
  const r = await push(host, nodeApp, 'hello')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /-----> installing dependencies with npm ci/)
  t.match(r.stderr, /-----> hello v1 is live \(\d+\.\ds\)/)
  const res = await httpGet(host, 'hello.test')
  t.equal(res.status, 200)
  t.equal(res.body, 'hello world v1\n')
})

t.test('push: a static site serves through nginx', async (t) => {
  const r = await push(host, site, 'site')
  t.equal(r.code, 0, r.stderr)
  const res = await httpGet(host, 'site.test')
  t.equal(res.status, 200)
  t.equal(res.body, '<h1>a static site</h1>\n')
  t.equal((await httpGet(host, 'site.test', '/ENV')).status, 404, 'the app folder is not published')
  t.equal((await httpGet(host, 'site.test', '/../ENV')).status, 400)
})

t.test('push: a second push with a change serves the change, without reinstalling dependencies', async (t) => {
  commitFiles(nodeApp, { 'index.js': express['index.js'].replace('v1', 'v2') }, 'v2')
  const r = await push(host, nodeApp, 'hello')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /dependencies unchanged/)
  t.equal((await httpGet(host, 'hello.test')).body, 'hello world v2\n')
})

t.test('push: apps lists both', async (t) => {
  const r = await ssh(host, ['apps'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^\* hello\b/m)
  t.match(r.stdout, /^\* site\b/m)
  const j = await ssh(host, ['apps', '--json'])
  t.same(
    JSON.parse(j.stdout).apps.map((a: { name: string; running: boolean }) => [a.name, a.running]),
    [
      ['hello', true],
      ['site', true],
    ],
  )
})

t.test('push: git clone gets the code back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'piku-hooks-clone-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const r = await run('git', ['clone', '-q', `${host.user}@127.0.0.1:hello`, join(dir, 'hello')], { env: { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand } })
  t.equal(r.code, 0, r.stderr)
  t.ok(existsSync(join(dir, 'hello', 'index.js')), 'the work tree is checked out (HEAD follows main)')
  t.same(readdirSync(join(dir, 'hello')).sort(), ['.git', 'ENV', 'Procfile', 'index.js', 'package-lock.json', 'package.json'])
})

t.test('push: another branch is stored, not deployed', async (t) => {
  execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: nodeApp })
  commitFiles(nodeApp, { 'index.js': express['index.js'].replace('v1', 'feature') }, 'feature')
  const r = await push(host, nodeApp, 'hello', 'feature')
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: nodeApp })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /refs\/heads\/feature: stored, not deployed/)
  t.equal((await httpGet(host, 'hello.test')).body, 'hello world v2\n')
})

t.test('push: re-running install.sh keeps both apps serving', async (t) => {
  const r = await run('bash', ['./install.sh', '--user', host.user, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`, '--listen', '127.0.0.1', '--no-build'], { cwd: repoRoot })
  t.equal(r.code, 0, r.stderr)
  t.equal((await httpGet(host, 'hello.test')).body, 'hello world v2\n')
  t.equal((await httpGet(host, 'site.test')).status, 200)
  t.match((await ssh(host, ['apps'])).stdout, /\* hello/)
})

t.test('push: bad input gets one clear line, a non-zero exit, and changes nothing', async (t) => {
  const unknown = await ssh(host, ['frobnicate'])
  t.not(unknown.code, 0)
  t.equal(unknown.stderr, 'error: unknown verb "frobnicate"; run "help" for the list\n')

  for (const bad of ['../etc', '.hidden', '-rf', 'a/b', 'x'.repeat(65)]) {
    const r = await ssh(host, [`git-receive-pack '${bad}'`])
    t.not(r.code, 0, `refused: ${bad}`)
    t.equal(r.stderr.trim().split('\n').length, 1, `one line for ${bad}`)
    t.match(r.stderr, /^error: (repository|app name)/)
  }
  t.same(readdirSync(join(host.home, 'repos')).sort(), ['hello', 'site'], 'no repo was created')

  const nothing = makeApp(t, { 'README.md': 'no Procfile, nothing to run\n' })
  const r = await push(host, nothing, 'nothing')
  t.not(r.code, 0)
  t.match(r.stderr, /Procfile: not found, and nothing else to run/)
  const ls = await run('git', ['ls-remote', `${host.user}@127.0.0.1:nothing`], { env: { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand } })
  t.equal(ls.stdout.trim(), '', 'the branch did not move')
})
