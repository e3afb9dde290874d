// e2e/runtime-node: Node apps pushed for real: npm ci with a lockfile, npm install without, `npm start` as
// the web when there is no Procfile, the dependency cache, and a clear error for a missing yarn or pnpm.
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { commitFiles, httpGet, makeApp, push, setupHost, type TestHost } from '../fixtures/host.js'
import { findTool } from '../../lib/deploy/runtime/build.js'

const user = 'phnode'
const ports = { sshPort: 22243, httpPort: 28043, httpsPort: 28443 }

const pkg = JSON.stringify({ name: 'nodeapp', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }, null, 2) + '\n'
const lock =
  JSON.stringify({ name: 'nodeapp', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'nodeapp', version: '1.0.0' } } }, null, 2) + '\n'
const server = (tag: string) => `const http = require('node:http')
const keys = ['APP', 'PORT', 'PROC_TYPE', 'DATA_ROOT', 'NODE_PATH', 'PATH', 'GREETING']
http.createServer((req, res) => {
  const env = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ tag: ${JSON.stringify(tag)}, env }))
}).listen(Number(process.env.PORT), process.env.BIND_ADDRESS)
`
const gitRef = (host: TestHost, app: string) => {
  try {
    return execFileSync('git', ['-c', 'safe.directory=*', '--git-dir', `${host.home}/repos/${app}`, 'rev-parse', '--verify', '-q', 'refs/heads/main'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {
    return undefined
  }
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  let dir: string
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
    dir = makeApp(t, { 'package.json': pkg, 'package-lock.json': lock, 'server.js': server('one'), ENV: 'NGINX_SERVER_NAME=node.example.test\nGREETING=hi\n' })
  })

  t.test('runtime: node with a lockfile runs npm ci, and npm start is the web without a Procfile', async (t) => {
    const r = await push(host, dir, 'nodeapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /installing dependencies with npm ci/)
    t.match(r.stderr, /no Procfile: running "npm start" as web/)
    const res = await httpGet(host, 'node.example.test', '/')
    t.equal(res.status, 200, res.body)
    const body = JSON.parse(res.body)
    t.equal(body.tag, 'one')
    t.equal(body.env.APP, 'nodeapp')
    t.equal(body.env.PROC_TYPE, 'web')
    t.equal(body.env.GREETING, 'hi')
    t.match(body.env.NODE_PATH, new RegExp(`^${host.home}/apps/nodeapp/releases/v\\d+/node_modules$`))
    t.match(body.env.PATH, new RegExp(`${host.home}/apps/nodeapp/releases/v\\d+/node_modules/\\.bin:`))
  })

  t.test('runtime: node second deploy with the same package files skips the install', async (t) => {
    commitFiles(dir, { 'server.js': server('two') }, 'code only')
    const r = await push(host, dir, 'nodeapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /dependencies unchanged/)
    t.notMatch(r.stderr, /npm ci/)
    t.equal(JSON.parse((await httpGet(host, 'node.example.test', '/')).body).tag, 'two')
  })

  t.test('runtime: node without a lockfile runs npm install; a Procfile web wins over npm start', async (t) => {
    const other = makeApp(t, { 'package.json': pkg, 'server.js': server('installed'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=npmi.example.test\n' })
    const r = await push(host, other, 'npmi')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /installing dependencies with npm install/)
    t.notMatch(r.stderr, /npm start/)
    t.equal(JSON.parse((await httpGet(host, 'npmi.example.test', '/')).body).tag, 'installed')
  })

  t.test('runtime: yarn or pnpm asked for but not installed gives one clear error', async (t) => {
    const hostPath = '/usr/local/bin:/usr/bin:/bin'
    const pnpm = makeApp(t, { 'package.json': pkg, 'server.js': server('pnpm'), ENV: 'NODE_PACKAGE_MANAGER=pnpm\n' })
    const r = await push(host, pnpm, 'pnpmapp')
    if (findTool('pnpm', hostPath)) {
      t.equal(r.code, 0, r.stderr)
      t.match(r.stderr, /installing dependencies with pnpm install/)
    } else {
      t.not(r.code, 0)
      t.match(r.stderr, /NODE_PACKAGE_MANAGER=pnpm needs "pnpm", which is not installed on this host \(install it for every user, e\.g\. npm install -g pnpm as root\)/)
      t.equal(gitRef(host, 'pnpmapp'), undefined, 'the branch was not created')
    }
    const yarn = makeApp(t, { 'package.json': pkg, 'yarn.lock': '# yarn lockfile v1\n\n\n', 'server.js': server('yarn') })
    const y = await push(host, yarn, 'yarnapp')
    if (findTool('yarn', hostPath)) {
      t.equal(y.code, 0, y.stderr)
    } else {
      t.not(y.code, 0)
      t.match(y.stderr, /yarn\.lock needs "yarn", which is not installed on this host/)
    }
    const bad = makeApp(t, { 'package.json': pkg, 'server.js': server('bad'), ENV: 'NODE_PACKAGE_MANAGER=bun\n' })
    const b = await push(host, bad, 'badpm')
    t.not(b.code, 0)
    t.match(b.stderr, /NODE_PACKAGE_MANAGER="bun": use npm, yarn or pnpm/)
  })
}
