// e2e/verbs: the management verbs through real ssh, nginx and uwsgi, and the bin/piku client.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { httpGet, makeApp, push, repoRoot, run, setupHost, ssh, waitFor, type TestHost } from '../fixtures/host.js'

const user = 'phverbs'
const ports = { sshPort: 22231, httpPort: 28031, httpsPort: 28431 }

const server = `const http = require('node:http')
http.createServer((req, res) => {
  console.log('GET', req.url)
  res.end(\`\${process.env.GREETING ?? 'unset'} on \${process.env.PORT}\\n\`)
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on', process.env.PORT))
`
const worker = `const fs = require('node:fs')
setInterval(() => fs.appendFileSync(process.env.DATA_ROOT + '/worker.log', Date.now() + '\\n'), 500)
console.log('worker up')
`
const appFiles = (name: string) => ({
  'server.js': server,
  'worker.js': worker,
  Procfile: 'web: node server.js\nworker: node worker.js\n',
  ENV: `NGINX_SERVER_NAME=${name}\nGREETING=hello\n`,
})

interface PsJson {
  running: boolean
  stopped: boolean
  scaling: Record<string, number>
  instances: { kind: string; n: number; pid?: number; pids: number[]; rssKb: number }[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const alive = (pid: number) => existsSync(`/proc/${pid}`)
const oneLine = (s: string) => s.trim().split('\n').length === 1

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  let dir: string
  const file = (p: string) => join(host.home, p)
  const read = (p: string) => (existsSync(file(p)) ? readFileSync(file(p), 'utf8') : undefined)
  const psJson = async (app = 'app'): Promise<PsJson> => JSON.parse((await ssh(host, ['ps', app, '--json'])).stdout) as PsJson
  const body = async (name = 'verbs.test') => (await httpGet(host, name)).body
  // nginx -s reload only signals the master: the new configuration is in force a moment later
  const statusSoon = async (name: string, want: number) => {
    let status = 0
    for (let i = 0; i < 50 && status !== want; i++) {
      if (i) await sleep(100)
      status = (await httpGet(host, name)).status
    }
    return status
  }

  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
    dir = makeApp(t, appFiles('verbs.test'))
    for (const [app, repo] of [['app', dir], ['a', makeApp(t, appFiles('a.test'))], ['ab', makeApp(t, appFiles('ab.test'))]]) {
      const r = await push(host, repo, app)
      if (r.code !== 0) throw new Error(`push ${app} failed:\n${r.stderr}`)
    }
  })

  t.test('help: lists every verb', async (t) => {
    const r = await ssh(host, ['help'])
    t.equal(r.code, 0)
    for (const verb of ['apps', 'config', 'config:get', 'config:set', 'config:unset', 'config:live', 'deploy', 'destroy', 'logs', 'ps', 'ps:scale', 'run', 'restart', 'stop', 'setup:ssh', 'help']) {
      t.match(r.stdout, new RegExp(`^  ${verb}( |$)`, 'm'), verb)
    }
  })

  t.test('config:set: changes what the app answers', async (t) => {
    t.match(await body(), /^hello on \d+/)
    const r = await ssh(host, ['config:set', 'app', `'GREETING=hi there'`, 'OTHER=1'])
    t.equal(r.code, 0, r.stderr)
    t.match(await body(), /^hi there on \d+/)
    t.equal(read('config/app/ENV'), 'GREETING="hi there"\nOTHER=1\n')
  })

  t.test('config:get: prints the raw value alone', async (t) => {
    const r = await ssh(host, ['config:get', 'app', 'GREETING'])
    t.equal(r.code, 0)
    t.equal(r.stdout, 'hi there\n')
    const unset = await ssh(host, ['config:get', 'app', 'NOPE'])
    t.not(unset.code, 0)
    t.equal(unset.stdout, '')
    t.ok(oneLine(unset.stderr), unset.stderr)
  })

  t.test('config: the values, and --json as one document', async (t) => {
    t.equal((await ssh(host, ['config', 'app'])).stdout, 'GREETING="hi there"\nOTHER=1\n')
    t.same(JSON.parse((await ssh(host, ['config', 'app', '--json'])).stdout), { GREETING: 'hi there', OTHER: '1' })
  })

  t.test('config:set: a value the deploy refuses changes nothing', async (t) => {
    const before = read('config/app/ENV')
    const r = await ssh(host, ['config:set', 'app', 'PIKU_HEALTH_TIMEOUT=soon'])
    t.not(r.code, 0)
    t.match(r.stderr, /PIKU_HEALTH_TIMEOUT/)
    t.equal(read('config/app/ENV'), before)
    t.match(await body(), /^hi there on/)
  })

  t.test('config:unset: removes the value (the repo ENV applies again)', async (t) => {
    const r = await ssh(host, ['config:unset', 'app', 'GREETING'])
    t.equal(r.code, 0, r.stderr)
    t.equal(read('config/app/ENV'), 'OTHER=1\n')
    t.match(await body(), /^hello on \d+/)
    t.not((await ssh(host, ['config:get', 'app', 'GREETING'])).code, 0)
  })

  t.test('config:live: the running environment, PORT included', async (t) => {
    const r = await ssh(host, ['config:live', 'app'])
    t.equal(r.code, 0)
    const port = /^PORT=(\d+)$/m.exec(r.stdout)?.[1]
    t.ok(port, 'PORT is there')
    t.match(r.stdout, /^GREETING=hello$/m)
    t.match(r.stdout, /^OTHER=1$/m)
    t.match(await body(), new RegExp(`on ${port}$`, 'm'))
  })

  t.test('logs: -n 5 shows the app output', async (t) => {
    let out = ''
    let i = 0 // a new request each time: the log shows it once the worker wrote it
    await waitFor(async () => {
      await httpGet(host, 'verbs.test', `/seen-${i}`)
      const r = await ssh(host, ['logs', 'app', 'web', '-n', '5'])
      out = r.code === 0 ? r.stdout : ''
      return out.includes(`GET /seen-${i++}`)
    }, 20_000, 250)
    t.match(out, /^web\.1 \| .*GET \/seen-\d/m)
    t.ok(out.trim().split('\n').length <= 5, 'at most 5 lines')
    const all = await ssh(host, ['logs', 'app', '-n', '50'])
    t.match(all.stdout, /^worker\.1 \| .*worker up/m)
    t.match(all.stdout, /^web\.1    \| /m, 'prefixes padded to the longest')
  })

  t.test('logs: without -n shows recent lines, then follows new ones', async (t) => {
    const [cmd, ...opts] = host.gitSshCommand.split(' ')
    const child = spawn(cmd, [...opts, `${host.user}@127.0.0.1`, 'logs', 'app', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await sleep(100)
      return re.test(out)
    }
    try {
      t.ok(await waitFor(/^web\.1 \| /m), 'recent lines first')
      await httpGet(host, 'verbs.test', '/followed-now')
      t.ok(await waitFor(/GET \/followed-now/), 'a new request shows up while following')
      t.equal(child.exitCode, null, 'still following')
    } finally {
      child.kill('SIGTERM')
    }
  })

  t.test('run: prints the app environment in the release folder', async (t) => {
    const r = await ssh(host, ['run', 'app', 'env;', 'pwd'])
    t.equal(r.code, 0, r.stderr)
    t.match(r.stdout, /^GREETING=hello$/m)
    t.match(r.stdout, /^PORT=\d+$/m)
    t.match(r.stdout, new RegExp(`^${host.home}/apps/app/releases/v\\d+$`, 'm'))
  })

  t.test('run: passes on a failing exit status', async (t) => {
    t.equal((await ssh(host, ['run', 'app', 'sh', '-c', `'exit 3'`])).code, 3)
    t.equal((await ssh(host, ['run', 'app', '--', 'false'])).code, 1)
  })

  t.test('restart: new pids, still serving', async (t) => {
    const before = await psJson()
    const web = before.instances.find((i) => i.kind === 'web')
    t.ok(web?.pid, 'web has a pid')
    const r = await ssh(host, ['restart', 'app'])
    t.equal(r.code, 0, r.stderr)
    const after = await psJson()
    const web2 = after.instances.find((i) => i.kind === 'web')
    t.ok(web2?.pid, 'web has a pid after')
    t.not(web2?.pid, web?.pid)
    t.notOk(web2?.pids.some((p) => web?.pids.includes(p)), 'no pid of the old instance')
    t.match(await body(), /^hello on/)
  })

  t.test('ps:scale: worker=2 gives two live worker processes', async (t) => {
    const r = await ssh(host, ['ps:scale', 'app', 'worker=2'])
    t.equal(r.code, 0, r.stderr)
    t.equal(read('config/app/SCALING'), 'worker=2\n')
    let workers: PsJson['instances'] = []
    await waitFor(async () => {
      workers = (await psJson()).instances.filter((x) => x.kind === 'worker' && x.pid !== undefined)
      return workers.length === 2
    }, 20_000, 250)
    t.equal(workers.length, 2)
    t.ok(workers.every((w) => alive(w.pid as number) && w.rssKb > 0), 'both alive, with memory')
    t.not(workers[0].pid, workers[1].pid)
    const text = (await ssh(host, ['ps', 'app'])).stdout
    t.match(text, /^worker:2$/m)
    t.match(text, /^worker\.2 +pid \d+/m)
  })

  t.test('bad input: one line, non-zero, nothing changed', async (t) => {
    const env = read('config/app/ENV')
    const scaling = read('config/app/SCALING')
    const apps = readdirSync(file('apps')).sort()
    for (const args of [
      ['config', 'nosuch'],
      ['logs', 'app', '../x', '-n', '1'],
      ['logs', 'app', 'nokind', '-n', '1'],
      ['ps:scale', 'app', 'worker=x'],
      ['ps:scale', 'app', 'nokind=1'],
      ['config:set', 'app', 'novalue'],
      ['config:set', 'app', '1BAD=x'],
      ['destroy', 'app', '--everything'],
      ['no-such-verb', 'app'],
      ['config:get', 'bad/name', 'X'],
    ]) {
      const r = await ssh(host, args)
      t.not(r.code, 0, args.join(' '))
      t.ok(oneLine(r.stderr) && r.stderr.startsWith('error: '), `${args.join(' ')}: ${r.stderr}`)
    }
    t.equal(read('config/app/ENV'), env)
    t.equal(read('config/app/SCALING'), scaling)
    t.same(readdirSync(file('apps')).sort(), apps)
    t.match(await body(), /^hello on/)
  })

  t.test('stop: stops serving, and apps shows it stopped', async (t) => {
    const r = await ssh(host, ['stop', 'app'])
    t.equal(r.code, 0, r.stderr)
    t.equal(await statusSoon('verbs.test', 404), 404, 'nginx no longer proxies it')
    const apps = JSON.parse((await ssh(host, ['apps', '--json'])).stdout) as { apps: { name: string; running: boolean }[] }
    t.equal(apps.apps.find((a) => a.name === 'app')?.running, false)
    t.match((await ssh(host, ['apps'])).stdout, /^  app\b/m)
    const ps = await psJson()
    t.equal(ps.stopped, true)
    t.same(ps.instances, [])
    t.same(JSON.parse(read('config/app/state.json') ?? '{}'), { stopped: true })
    // sticky: a config change is saved but does not start it
    t.equal((await ssh(host, ['config:set', 'app', 'GREETING=later'])).code, 0)
    t.equal((await httpGet(host, 'verbs.test')).status, 404)
  })

  t.test('deploy: brings a stopped app back', async (t) => {
    const r = await ssh(host, ['deploy', 'app'])
    t.equal(r.code, 0, r.stderr)
    t.match(await body(), /^later on \d+/)
    t.equal(read('config/app/state.json'), undefined, 'the stopped flag is cleared')
    const apps = JSON.parse((await ssh(host, ['apps', '--json'])).stdout) as { apps: { name: string; running: boolean }[] }
    t.equal(apps.apps.find((a) => a.name === 'app')?.running, true)
  })

  t.test('destroy: app a goes, app ab is untouched and serving', async (t) => {
    t.match(await body('ab.test'), /^hello on/)
    const vassalsOf = (app: string) => readdirSync(file('uwsgi/vassals')).filter((f) => f.startsWith(`${app}@`))
    const abVassals = vassalsOf('ab')
    t.equal(abVassals.length, 2)
    const r = await ssh(host, ['destroy', 'a'])
    t.equal(r.code, 0, r.stderr)
    for (const p of ['repos/a', 'apps/a', 'config/a', 'deps/a', 'logs/a', 'cache/a', 'nginx/a.conf']) t.notOk(existsSync(file(p)), `${p} is gone`)
    t.ok(existsSync(file('data/a')), 'data/a is kept without --data')
    t.same(vassalsOf('a'), [])
    t.same(vassalsOf('ab'), abVassals)
    for (const p of ['repos/ab', 'apps/ab', 'config/ab', 'logs/ab', 'nginx/ab.conf']) t.ok(existsSync(file(p)), `${p} is kept`)
    t.equal(await statusSoon('a.test', 404), 404)
    t.match(await body('ab.test'), /^hello on/)
    t.not((await ssh(host, ['ps', 'a'])).code, 0, 'a is unknown now')
    const again = await ssh(host, ['destroy', 'ab', '--data'])
    t.equal(again.code, 0, again.stderr)
    t.notOk(existsSync(file('data/ab')), 'data/ab is gone with --data')
  })

  t.test('setup:ssh: adds an admin key from stdin', async (t) => {
    const keyDir = mkdtempSync(join(tmpdir(), 'piku-hooks-key-'))
    t.teardown(() => rmSync(keyDir, { recursive: true, force: true }))
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'second@laptop', '-f', join(keyDir, 'id')])
    const r = await ssh(host, ['setup:ssh'], { input: readFileSync(join(keyDir, 'id.pub'), 'utf8') })
    t.equal(r.code, 0, r.stderr)
    t.equal(r.stdout, 'second-laptop\n')
    const [cmd, ...opts] = host.gitSshCommand.split(' ')
    const other = opts.map((o) => (o === host.keyFile ? join(keyDir, 'id') : o))
    const apps = await run(cmd, [...other, `${user}@127.0.0.1`, 'apps'])
    t.equal(apps.code, 0, apps.stderr)
    t.match(apps.stdout, /app/)
    const bad = await ssh(host, ['setup:ssh'], { input: 'not a key\n' })
    t.not(bad.code, 0)
  })

  t.test('piku client: server and app from the piku remote', async (t) => {
    const client = join(repoRoot, 'bin', 'piku')
    const env = { ...process.env, PIKU_SSH: host.gitSshCommand }
    const piku = (args: string[], cwd = dir, extra: NodeJS.ProcessEnv = {}) => run(client, args, { cwd, env: { ...env, ...extra } })
    execFileSync('git', ['remote', 'add', 'piku', `${user}@127.0.0.1:app`], { cwd: dir })
    execFileSync('git', ['remote', 'add', 'other', `ssh://${user}@127.0.0.1:${host.sshPort}/app.git`], { cwd: dir })
    t.match((await piku([])).stdout, /^Usage: /, 'no arguments: the server help')
    const set = await piku(['config:set', "K=it's a b", 'L=$HOME'])
    t.equal(set.code, 0, set.stderr)
    t.equal((await piku(['config:get', 'K'])).stdout, "it's a b\n", 'spaces and quotes survive')
    t.equal((await piku(['config:get', 'L'])).stdout, '$HOME\n')
    t.equal((await piku(['run', "sh -c 'exit 3'"])).code, 3)
    t.match((await piku(['run', 'echo $GREETING | tr a-z A-Z'])).stdout, /^LATER$/m)
    t.match((await piku(['apps'])).stdout, /app/)
    const viaOther = await piku(['-r', 'other', 'config:get', 'K'], dir, { PIKU_SSH: host.gitSshCommand.replace(/-p \d+ /, '') })
    t.equal(viaOther.stdout, "it's a b\n", '-r picks another remote (ssh:// URL with a port)')
    const bare = mkdtempSync(join(tmpdir(), 'piku-hooks-norepo-'))
    t.teardown(() => rmSync(bare, { recursive: true, force: true }))
    const byEnv = await piku(['config:get', 'K'], bare, { PIKU_SERVER: `${user}@127.0.0.1`, PIKU_APP: 'app' })
    t.equal(byEnv.stdout, "it's a b\n", 'PIKU_SERVER and PIKU_APP without a remote')
    const none = await piku(['ps'], bare)
    t.equal(none.code, 1)
    t.match(none.stderr, /^piku: no server/)
  })

  t.test('piku client: passes shellcheck', async (t) => {
    const r = await run('shellcheck', [join(repoRoot, 'bin', 'piku')])
    t.equal(r.code, 0, r.stdout)
  })
}
