// e2e/runtime-generic: a Procfile-only app (web, worker, cron, release; no runtime files) pushed for real:
// every kind runs with piku's ENV, the release line sees expanded values, and bad Procfile/ENV lines refuse the push.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import { commitFiles, httpGet, makeApp, push, setupHost, type TestHost } from '../fixtures/host.js'

const user = 'phgen'
const ports = { sshPort: 22242, httpPort: 28042, httpsPort: 28442 }

const procfile = [
  '# a generic app: no requirements.txt, package.json, go.mod, Gemfile or Cargo.toml',
  'web: env > "$DATA_ROOT/web.env" && exec python3 -m http.server "$PORT" --bind "$BIND_ADDRESS" --directory public',
  'worker: while true; do env > "$DATA_ROOT/worker.env"; echo "$PROC_TYPE $GREETING" > "$DATA_ROOT/worker.out"; sleep 1; done',
  'cron: * * * * * echo "$PROC_TYPE $GREETING $(date +%s)" >> "$DATA_ROOT/cron.out"',
  'release: echo "$GREETING" > "$DATA_ROOT/release.out"; env > "$DATA_ROOT/release.env"',
  '',
].join('\n')
const env = 'NGINX_SERVER_NAME=gen.example.test\nNAME=x\nGREETING=hello $NAME\nPATH=/opt/none:$PATH\n'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const parseEnv = (text: string) => Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
async function waitForFile(path: string, ms: number): Promise<string | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8')
      if (text.endsWith('\n')) return text
    }
  }
  return undefined
}
const gitRef = (host: TestHost, app: string) =>
  execFileSync('git', ['-c', 'safe.directory=*', '--git-dir', `${host.home}/repos/${app}`, 'rev-parse', '--verify', '-q', 'refs/heads/main'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  let dir: string
  let deployedAt = 0
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
    dir = makeApp(t, { Procfile: procfile, ENV: env, 'public/index.html': '<h1>generic</h1>\n' })
  })
  const data = (f: string) => `${host.home}/data/genapp/${f}`

  t.test('runtime: generic Procfile app deploys web, worker, cron and release with no runtime files', async (t) => {
    const r = await push(host, dir, 'genapp')
    deployedAt = Date.now()
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /no runtime to build \(Procfile only\)/)
    t.match(r.stderr, /running release: echo/)
    const res = await httpGet(host, 'gen.example.test', '/')
    t.equal(res.status, 200)
    t.equal(res.body, '<h1>generic</h1>\n')
    const vassals = execFileSync('ls', [`${host.home}/uwsgi/vassals`]).toString()
    t.match(vassals, /genapp@\S+@web\.1\.ini/)
    t.match(vassals, /genapp@\S+@worker\.1\.ini/)
    t.match(vassals, /genapp@\S+@cron\.1\.ini/)
    t.notMatch(vassals, /@release\./)
  })

  t.test('runtime: the release line sees the expanded ENV', async (t) => {
    t.equal(readFileSync(data('release.out'), 'utf8'), 'hello x\n')
    const e = parseEnv(readFileSync(data('release.env'), 'utf8'))
    t.equal(e.PROC_TYPE, 'release')
    t.equal(e.APP, 'genapp')
    t.equal(e.DATA_ROOT, `${host.home}/data/genapp`)
  })

  t.test('runtime: web sees APP, PORT, BIND_ADDRESS, DATA_ROOT, CACHE_ROOT, LOG_ROOT, PROC_TYPE, HOME and PATH', async (t) => {
    const text = await waitForFile(data('web.env'), 5000)
    t.ok(text, 'web wrote its env')
    const e = parseEnv(text ?? '')
    t.equal(e.APP, 'genapp')
    t.match(e.PORT, /^\d+$/)
    t.equal(e.BIND_ADDRESS, '127.0.0.1')
    t.equal(e.DATA_ROOT, `${host.home}/data/genapp`)
    t.equal(e.CACHE_ROOT, `${host.home}/cache/genapp`)
    t.equal(e.LOG_ROOT, `${host.home}/logs/genapp`)
    t.equal(e.PROC_TYPE, 'web')
    t.equal(e.HOME, host.home)
    t.equal(e.GREETING, 'hello x')
    t.match(e.PATH, /^\/opt\/none:.*\/usr\/bin/, 'the repo ENV may extend PATH')
  })

  t.test('runtime: the worker runs with its PROC_TYPE, writes into DATA_ROOT and gets no PORT', async (t) => {
    const out = await waitForFile(data('worker.out'), 10_000)
    t.equal(out, 'worker hello x\n')
    const e = parseEnv(readFileSync(data('worker.env'), 'utf8'))
    t.equal(e.PROC_TYPE, 'worker')
    t.equal(e.PORT, undefined)
    t.equal(e.APP, 'genapp')
  })

  t.test('runtime: a malformed Procfile line fails the push with Procfile:N and main stays', async (t) => {
    const before = gitRef(host, 'genapp')
    commitFiles(dir, { Procfile: procfile.replace('worker: while', 'worker while') }, 'no colon')
    const r = await push(host, dir, 'genapp')
    t.not(r.code, 0)
    t.match(r.stderr, /Procfile:3: expected "kind: command"/)
    t.equal(gitRef(host, 'genapp'), before)
  })

  t.test('runtime: a bad cron schedule fails the push with Procfile:N', async (t) => {
    const before = gitRef(host, 'genapp')
    commitFiles(dir, { Procfile: procfile.replace('cron: * * * * *', 'cron: 61 * * * *') }, 'bad minute')
    const r = await push(host, dir, 'genapp')
    t.not(r.code, 0)
    t.match(r.stderr, /Procfile:4: .*minute/)
    t.equal(gitRef(host, 'genapp'), before)
  })

  t.test('runtime: a malformed ENV line fails the push with ENV:N and main stays', async (t) => {
    const before = gitRef(host, 'genapp')
    commitFiles(dir, { Procfile: procfile, ENV: env + 'this line has no equals sign\n' }, 'bad env')
    const r = await push(host, dir, 'genapp')
    t.not(r.code, 0)
    t.match(r.stderr, /ENV:5: expected KEY=VALUE/)
    t.equal(gitRef(host, 'genapp'), before)
    commitFiles(dir, { ENV: env }, 'env fixed')
    t.equal((await httpGet(host, 'gen.example.test', '/')).status, 200, 'the running release still serves')
  })

  t.test('runtime: the cron line runs at the minute boundary and writes into DATA_ROOT', async (t) => {
    // uwsgi cron fires at the next minute boundary: at most ~60 s after the deploy, plus start-up
    const left = Math.max(5000, 75_000 - (Date.now() - deployedAt))
    const out = await waitForFile(data('cron.out'), left)
    t.ok(out, `cron.out appeared within ${Math.round(left / 1000)} s`)
    t.match(out ?? '', /^cron hello x \d+\n/)
  })
}
