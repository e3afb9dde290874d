// e2e/hostile: the ssh door under attack, through a real sshd. Bad names, shell metacharacters, option
// injection, huge and non-UTF-8 commands, forwarding, logins and ptys are refused with one line, a
// non-zero exit and no trace; config values stay inert data; secrets are private; keys have roles;
// every change is in the audit log.
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { commitFiles, httpGet, makeApp, push, run, setupHost, toolkitDir, waitFor, type RunResult, type TestHost, readVassal } from '../fixtures/host.js'

const user = 'phhostile'
const ports = { sshPort: 22271, httpPort: 28071, httpsPort: 28471 }
const marker = `/tmp/${user}-pwned`
const forwardPort = 28971

const VERBS_WITH_APP = ['config', 'config:get', 'config:set', 'config:unset', 'config:live', 'deploy', 'destroy', 'logs', 'ps', 'ps:scale', 'releases', 'restart', 'rollback', 'run', 'stop']
const BAD_NAMES = ['../x', '..', '.', '/etc/passwd', 'a/../b', '%2e%2e', '-rf', '']

const echoServer = `import json, os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({k: os.environ.get(k) for k in ["X", "Y", "Z", "Q", "GREETING"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

HTTPServer((os.environ["BIND_ADDRESS"], int(os.environ["PORT"])), Echo).serve_forever()
`
const wsgiApp = `import json, os

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({k: os.environ.get(k) for k in ["X", "Y", "Z", "Q"]}).encode()]
`
// values that would be code or config if anything along the way treated them as such
const NASTY = {
  X: `$(touch ${marker})`,
  Y: `a\nexec-as-root = touch ${marker}\nplugin = python3`,
  Z: `%(_) @(file:///etc/hostname) $(HOME) \`touch ${marker}\``,
  Q: `it's "quoted"; touch ${marker} | cat && true`,
}
/** `config:set APP K='V'...` as one raw command line: single quotes keep every byte (a ' is closed, escaped, reopened). */
const configSetLine = (app: string) => `config:set ${app} ` + Object.entries(NASTY).map(([k, v]) => `'${k}=${v.replace(/'/g, `'\\''`)}'`).join(' ')

/** Whether a socket listens on 127.0.0.1:`port` (/proc/net/tcp: local address 0100007F:PORT in state 0A). */
const listening = (port: number) => readFileSync('/proc/net/tcp', 'utf8').includes(`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`)

const top = t
if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  const keys: Record<string, string> = {} // name -> private key file
  const keyDir = join(tmpdir(), `${user}-keys`)

  /** ssh as the admin key, or as `as` (a key made by makeKey); `raw` is sent as the one command string. */
  const sshRaw = (raw: string | undefined, opts: { as?: string; tty?: boolean; input?: string; extra?: string[] } = {}): Promise<RunResult> => {
    const [cmd, ...args] = host.gitSshCommand.split(' ')
    const i = args.indexOf('-i')
    if (opts.as) args[i + 1] = keys[opts.as]
    return run(cmd, [...args, ...(opts.tty ? ['-tt'] : []), ...(opts.extra ?? []), `${host.user}@127.0.0.1`, ...(raw === undefined ? [] : [raw])], { input: opts.input, timeoutMs: 120_000 })
  }
  const pushAs = (as: string, dir: string, app: string) => {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@test', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@test', GIT_SSH_COMMAND: host.gitSshCommand.replace(host.keyFile, keys[as]) }
    return run('git', ['push', `${host.user}@127.0.0.1:${app}`, 'main'], { cwd: dir, env })
  }
  function makeKey(name: string): string {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 })
    const file = join(keyDir, name)
    rmSync(file, { force: true })
    rmSync(`${file}.pub`, { force: true })
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@e2e`, '-f', file])
    keys[name] = file
    return readFileSync(`${file}.pub`, 'utf8')
  }

  /** Every path under the home (symlinks not followed), to prove a refusal left nothing behind. */
  function listing(): string[] {
    const out: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e)
        out.push(p)
        if (lstatSync(p).isDirectory()) walk(p)
      }
    }
    walk(host.home)
    return out.sort()
  }

  /** A refusal: non-zero exit, exactly one `error: ...` line matching `why`, nothing new on disk, no marker. */
  async function refused(t: Test, r: RunResult | Promise<RunResult>, why: RegExp, before: string[]): Promise<void> {
    const res = await r
    t.not(res.code, 0, 'non-zero exit')
    const lines = res.stderr.replace(/\r/g, '').trim().split('\n')
    t.equal(lines.length, 1, `one line: ${res.stderr.slice(0, 300)}`)
    t.match(lines[0], /^error: \S/)
    t.match(lines[0], why)
    t.notOk(existsSync(marker), 'no marker file')
    t.same(listing().filter((p) => !before.includes(p)), [], 'no new file under the home')
  }

  t.before(async () => {
    rmSync(marker, { force: true })
    host = await setupHost(t, { user, ...ports })
    t.teardown(() => {
      rmSync(keyDir, { recursive: true, force: true })
      rmSync(marker, { force: true })
    })
  })

  let echo: string
  t.test('hostile: setup, an app that echoes its environment and a wsgi app', async (t) => {
    echo = makeApp(top, { Procfile: 'web: exec python3 echo_env.py\n', 'echo_env.py': echoServer, ENV: 'NGINX_SERVER_NAME=echo.test\nGREETING=hi\n' })
    const r = await push(host, echo, 'echo')
    t.equal(r.code, 0, r.stderr)
    t.same(JSON.parse((await httpGet(host, 'echo.test')).body).GREETING, 'hi')
    const wsgi = makeApp(top, { Procfile: 'wsgi: app:application\n', 'app.py': wsgiApp, 'requirements.txt': '', ENV: 'NGINX_SERVER_NAME=wsgi.test\n' })
    const w = await push(host, wsgi, 'wsgiapp')
    t.equal(w.code, 0, w.stderr)
    t.equal((await httpGet(host, 'wsgi.test')).status, 200)
  })

  t.test('hostile: path traversal and bad names in every git and management verb', async (t) => {
    const before = listing()
    for (const verb of ['git-receive-pack', 'git-upload-pack']) {
      for (const name of BAD_NAMES) {
        await t.test(`${verb} ${JSON.stringify(name)}`, (t) => refused(t, sshRaw(`${verb} '${name}'`), /repository|app name/, before))
      }
    }
    for (const verb of VERBS_WITH_APP) {
      for (const name of BAD_NAMES.filter((n) => n !== '')) {
        await t.test(`${verb} ${JSON.stringify(name)}`, (t) => refused(t, sshRaw(`${verb} '${name}' x=1`), /app name/, before))
      }
      await t.test(`${verb} with no app`, (t) => refused(t, sshRaw(verb), /usage|app name/, before))
    }
  })

  t.test('hostile: shell metacharacters in app names, verb arguments and config keys', async (t) => {
    const before = listing()
    const meta = [`a;touch ${marker}`, `a|touch ${marker}`, `a&&touch ${marker}`, `a\`touch ${marker}\``, `a$(touch ${marker})`, `a>${marker}`]
    for (const m of meta) {
      await t.test(`git-receive-pack ${JSON.stringify(m)}`, (t) => refused(t, sshRaw(`git-receive-pack '${m}'`), /repository/, before))
      await t.test(`ps ${JSON.stringify(m)}`, (t) => refused(t, sshRaw(`ps '${m}'`), /app name/, before))
      await t.test(`unquoted: apps ${m}`, (t) => refused(t, sshRaw(`apps ${m}`), /apps: unexpected argument/, before))
    }
    await t.test('logs: a kind with a ;', (t) => refused(t, sshRaw(`logs echo 'web;touch ${marker}' -n 1`), /kind/, before))
    await t.test('logs: -n with a $()', (t) => refused(t, sshRaw(`logs echo -n '$(touch ${marker})'`), /-n|number|count/i, before))
    await t.test('ps:scale: a count with a backtick', (t) => refused(t, sshRaw(`ps:scale echo 'web=1\`touch ${marker}\`'`), /count|web/, before))
    await t.test('ps:scale: a kind with a |', (t) => refused(t, sshRaw(`ps:scale echo 'we|b=1'`), /kind/, before))
    await t.test('rollback: an id with $()', (t) => refused(t, sshRaw(`rollback echo '$(touch ${marker})'`), /not a release id/, before))
    await t.test('config:set: a key with ;', (t) => refused(t, sshRaw(`config:set echo 'A;touch=1'`), /config key/, before))
    await t.test('config:set: a key that is $()', (t) => refused(t, sshRaw(`config:set echo '$(touch ${marker})=1'`), /config key/, before))
    await t.test('config:set: an empty key', (t) => refused(t, sshRaw(`config:set echo '=1'`), /config key/, before))
    await t.test('config:set: no =', (t) => refused(t, sshRaw('config:set echo JUSTAKEY'), /not KEY=VALUE/, before))
    await t.test('config:unset: a key with |', (t) => refused(t, sshRaw(`config:unset echo 'A|B'`), /config key|key/, before))
    await t.test('config:get: a key with backticks', (t) => refused(t, sshRaw(`config:get echo '\`id\`'`), /config key|key/, before))
    await t.test('keys:remove: a name with /', (t) => refused(t, sshRaw('keys:remove ../../etc/passwd'), /key name/, before))
    await t.test('an unknown verb that is a shell command', (t) => refused(t, sshRaw(`touch ${marker}`), /unknown verb "touch"/, before))
    await t.test('an unknown verb with ;', (t) => refused(t, sshRaw(`;touch ${marker}`), /unknown verb/, before))
  })

  t.test('hostile: option injection', async (t) => {
    const before = listing()
    await t.test('git-upload-pack --upload-pack=...', (t) => refused(t, sshRaw(`git-upload-pack '--upload-pack=touch ${marker}'`), /repository/, before))
    await t.test('git-upload-pack --help', (t) => refused(t, sshRaw('git-upload-pack --help'), /repository/, before))
    await t.test('git-receive-pack with two arguments', (t) => refused(t, sshRaw("git-receive-pack --strict 'echo'"), /one repository argument/, before))
    await t.test('destroy -rf', (t) => refused(t, sshRaw('destroy -rf'), /app name "-rf"/, before))
    await t.test('ps --json as the app', (t) => refused(t, sshRaw('ps --json'), /app name "--json"/, before))
    await t.test('apps -rf', (t) => refused(t, sshRaw('apps -rf'), /unexpected argument/, before))
    await t.test('keys:add with a leading-dash name', (t) => refused(t, sshRaw('keys:add -x admin'), /key name "-x"/, before))
  })

  t.test('hostile: huge, non-UTF-8, unbalanced and empty input', async (t) => {
    const before = listing()
    await t.test('a command over 64 KiB', (t) => refused(t, sshRaw(`apps ${'a'.repeat(70 * 1024)}`), /bytes is longer than the 65536 allowed/, before))
    await t.test('non-UTF-8 bytes in an app name', async (t) => {
      const [cmd, ...args] = host.gitSshCommand.split(' ')
      // printf makes the bytes: Node's own arguments are always UTF-8
      const r = run('sh', ['-c', `exec "$0" "$@" "$(printf 'ps \\377\\376x')"`, cmd, ...args, `${host.user}@127.0.0.1`])
      await refused(t, r, /app name/, before)
    })
    await t.test('an unclosed quote', (t) => refused(t, sshRaw(`ps 'echo`), /never closed/, before))
    await t.test('an empty app name for git', (t) => refused(t, sshRaw(`git-receive-pack ''`), /repository/, before))
    await t.test('only spaces: help, and no shell', (t) => refused(t, sshRaw('   '), /no shell here/, before))
  })

  t.test('hostile: forwarding is refused (restrict)', async (t) => {
    const r = await sshRaw('help', { extra: ['-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${forwardPort}:127.0.0.1:22`] })
    t.equal(r.code, 255, `remote forward refused: ${r.stderr}`)
    // -L: the client listens; the server must refuse the tunnel when it is used
    const [cmd, ...args] = host.gitSshCommand.split(' ')
    const child = spawn(cmd, [...args, '-N', '-L', `127.0.0.1:${forwardPort}:127.0.0.1:${host.httpPort}`, `${host.user}@127.0.0.1`], { stdio: 'ignore' })
    t.teardown(() => child.kill())
    t.ok(await waitFor(() => listening(forwardPort), 20_000), `the client listens on ${forwardPort}`)
    const answer = await new Promise<string>((done) => {
      const s = connect(forwardPort, '127.0.0.1')
      let got = ''
      s.setTimeout(5000, () => s.destroy())
      s.on('connect', () => s.write('GET / HTTP/1.0\r\nHost: echo.test\r\n\r\n'))
      s.on('data', (d) => (got += d))
      s.on('error', () => done(got))
      s.on('close', () => done(got))
    })
    t.equal(answer, '', 'nothing comes back through a local forward')
    child.kill()
    const agent = await sshRaw('help', { extra: ['-o', 'ForwardAgent=yes', '-o', 'ForwardX11=yes'] })
    t.equal(agent.code, 0, 'agent/X11 requests are ignored, the verb still runs')
  })

  t.test('hostile: an interactive login gets help, never a shell; a pty only for run', async (t) => {
    const before = listing()
    const login = await sshRaw(undefined, { tty: true, input: `touch ${marker}\nexit\n` })
    t.not(login.code, 0)
    t.match(login.stdout, /Usage: ssh USER@HOST VERB/)
    t.match(login.stdout + login.stderr, /error: no shell here/)
    t.notOk(existsSync(marker))
    t.same(listing().filter((p) => !before.includes(p)), [])
    const noTty = await sshRaw(undefined, { input: `touch ${marker}\n` })
    t.not(noTty.code, 0)
    t.match(noTty.stderr, /^error: no shell here/m)
    t.notOk(existsSync(marker))
    const apps = await sshRaw('apps', { tty: true })
    t.not(apps.code, 0)
    t.match(apps.stdout + apps.stderr, /error: a terminal \(ssh -t\) is only for "run"[^;]*; call "apps" without -t/)
    const tty = await sshRaw('run echo -- tty', { tty: true })
    t.equal(tty.code, 0, tty.stdout + tty.stderr)
    // inside the app's sandbox the session's terminal is its /dev/console (bwrap's private /dev has no host ptys)
    t.match(tty.stdout, /^\/dev\/(pts\/\d+|console)\r?$/m, 'run gets its terminal')
    const plain = await sshRaw('run echo -- tty')
    t.match(plain.stdout, /not a tty/, 'without -t, run has no terminal')
  })

  t.test('hostile: config values are inert data (shell, uwsgi options and magic)', async (t) => {
    for (const app of ['echo', 'wsgiapp']) {
      const r = await sshRaw(configSetLine(app))
      t.equal(r.code, 0, r.stderr)
      const server = app === 'echo' ? 'echo.test' : 'wsgi.test'
      const got = JSON.parse((await httpGet(host, server)).body)
      for (const [k, v] of Object.entries(NASTY)) t.equal(got[k], v, `${app}: ${k} is the plain string`)
      const get = await sshRaw(`config:get ${app} Y`)
      t.equal(get.stdout, `${NASTY.Y}\n`)
    }
    t.notOk(existsSync(marker), 'nothing ran')
    for (const f of readdirSync(`${host.home}/uwsgi/vassals`)) {
      const text = readVassal(`${host.home}/uwsgi/vassals/${f}`)
      t.notMatch(text, /exec-as-root|touch/, `${f}: no value in the vassal file`)
    }
  })

  t.test('hostile: secrets are readable by the app user only; nginx still serves', async (t) => {
    const h = host.home
    const glob = (dir: string, re: RegExp) => (existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).map((f) => join(dir, f)) : [])
    const liveToken = (app: string) => JSON.parse(readFileSync(`${h}/apps/${app}/active.json`, 'utf8')).token as string
    const runDirs = (app: string) => glob(`${h}/apps/${app}/run`, /./).filter((d) => d.endsWith(`/${liveToken(app)}`))
    const secrets = [
      `${h}/config/echo/ENV`,
      `${h}/config/echo/LIVE_ENV`,
      `${h}/config/.keys.json`,
      `${h}/.ssh/authorized_keys`,
      `${h}/logs/.audit.log`,
      `${h}/apps/echo/history.jsonl`,
      `${h}/apps/echo/active.json`,
      ...glob(`${h}/apps/echo/releases`, /^v\d+\.json$/),
      // the live activation's vassals (an earlier one may be retiring right now)
      ...glob(`${h}/uwsgi/vassals`, /\.ini$/).filter((f) => f.includes(`@${liveToken('echo')}@`)),
      ...runDirs('echo').flatMap((d) => glob(d, /\.sh$/)),
      ...runDirs('wsgiapp').flatMap((d) => glob(d, /\.json$/)),
      ...glob(`${h}/logs/echo`, /\.log$/),
      ...glob(`${h}/logs/echo/deploys`, /./),
    ]
    t.ok(secrets.length >= 14, `${secrets.length} secret files found`)
    for (const f of secrets) {
      t.ok(existsSync(f), `${f} exists`)
      // worker logs are written by uwsgi (0640) inside logs/APP (0700); everything else is ours: 0600
      const mask = /\/logs\/[^/]+\/[^/]+\.log$/.test(f) ? 0o007 : 0o077
      t.equal(statSync(f).mode & mask, 0, `${f}: private (${(statSync(f).mode & 0o777).toString(8)})`)
      for (const who of ['www-data', 'nobody']) {
        const r = await run('runuser', ['-u', who, '--', 'cat', f])
        t.not(r.code, 0, `${who} cannot read ${f}`)
        t.equal(r.stdout, '')
      }
    }
    for (const d of [`${h}/config`, `${h}/config/echo`, `${h}/logs`, `${h}/logs/echo`, `${h}/run`, `${h}/uwsgi`, `${h}/.ssh`, ...[`${h}/apps/echo/run`, `${h}/apps/wsgiapp/run`]]) {
      t.equal(statSync(d).mode & 0o777, 0o700, `${d} is 0700`)
      t.not((await run('runuser', ['-u', 'www-data', '--', 'ls', d])).code, 0, `www-data cannot list ${d}`)
    }
    // whatever www-data can reach under the home holds no config:set value
    const seen = await run('runuser', ['-u', 'www-data', '--', 'grep', '-rlF', '--', 'quoted"; touch', h])
    t.equal(seen.stdout, '', 'no config value in any file www-data can read')
    t.ok(JSON.stringify(readFileSync(`${h}/config/echo/ENV`, 'utf8')).includes('quoted'), 'while the value is on disk, privately')
    t.equal((await httpGet(host, 'echo.test')).status, 200, 'nginx still serves')
  })

  t.test('keys: roles through real ssh', async (t) => {
    const ci = makeKey('ci')
    const eye = makeKey('eye')
    const spare = makeKey('spare')
    t.equal((await sshRaw('keys:add ci deploy echo', { input: ci })).code, 0)
    t.equal((await sshRaw('keys:add eye read echo', { input: eye })).code, 0)
    const dup = await sshRaw('keys:add ci2 read echo', { input: ci })
    t.match(dup.stderr, /^error: that public key is already authorized as "ci"/)
    const list = await sshRaw('keys --json')
    t.match(JSON.parse(list.stdout).keys, [{ role: 'admin' }, { name: 'ci', role: 'deploy', apps: ['echo'], fingerprint: /^SHA256:/ }, { name: 'eye', role: 'read', apps: ['echo'] }])
    t.match((await sshRaw('keys')).stdout, /^ci\s+deploy\s+SHA256:\S+\s+echo$/m)
    t.ok(readFileSync(`${host.home}/.ssh/authorized_keys`, 'utf8').split('\n').some((l) => l.startsWith(`command="${toolkitDir}/bin/piku-ssh ci",restrict,pty ssh-ed25519 `)), 'restricted forced-command line for ci')

    // deploy: its app only, and nothing but push, deploy, restart, rollback and the read verbs
    commitFiles(echo, { 'NOTE.txt': 'by ci\n' }, 'ci change')
    const pushed = await pushAs('ci', echo, 'echo')
    t.equal(pushed.code, 0, pushed.stderr)
    const releases = await sshRaw('releases echo', { as: 'ci' })
    t.equal(releases.code, 0, releases.stderr)
    t.match(releases.stdout.split('\n')[0], /\bci\b/, 'releases shows which key deployed')
    const before = listing()
    const other = makeApp(top, { Procfile: 'web: exec python3 echo_env.py\n', 'echo_env.py': echoServer })
    const create = await pushAs('ci', other, 'newapp')
    t.not(create.code, 0)
    t.match(create.stderr, /key "ci" has role deploy; creating app "newapp" needs role admin/)
    t.notOk(existsSync(`${host.home}/repos/newapp`))
    await t.test('deploy key: config:set', (t) => refused(t, sshRaw('config:set echo A=1', { as: 'ci' }), /key "ci" has role deploy; config:set needs role admin/, before))
    await t.test('deploy key: destroy', (t) => refused(t, sshRaw('destroy echo', { as: 'ci' }), /destroy needs role admin/, before))
    await t.test('deploy key: ps:scale', (t) => refused(t, sshRaw('ps:scale echo web=2', { as: 'ci' }), /ps:scale needs role admin/, before))
    await t.test('deploy key: run', (t) => refused(t, sshRaw(`run echo -- touch ${marker}`, { as: 'ci' }), /run needs role admin/, before))
    await t.test('deploy key: another app', (t) => refused(t, sshRaw('ps wsgiapp', { as: 'ci' }), /key "ci" \(role deploy\) may not use app "wsgiapp"/, before))
    await t.test('deploy key: keys', (t) => refused(t, sshRaw('keys', { as: 'ci' }), /keys needs role admin/, before))
    await t.test('deploy key: keys:add', (t) => refused(t, sshRaw('keys:add me admin', { as: 'ci', input: spare }), /keys:add needs role admin/, before))
    await t.test('deploy key: setup:ssh', (t) => refused(t, sshRaw('setup:ssh', { as: 'ci', input: spare }), /setup:ssh needs role admin/, before))
    const otherPush = await pushAs('ci', other, 'wsgiapp')
    t.match(otherPush.stderr, /may not use app "wsgiapp"/)
    const deploy = await sshRaw('deploy echo', { as: 'ci' })
    t.equal(deploy.code, 0, deploy.stderr)

    // read: list, ps, logs, releases and fetch; no push, no deploy
    const apps = await sshRaw('apps', { as: 'eye' })
    t.equal(apps.code, 0, apps.stderr)
    t.match(apps.stdout, /^\* echo\b/m)
    t.notMatch(apps.stdout, /wsgiapp/, 'only its apps')
    t.equal((await sshRaw('logs echo -n 5', { as: 'eye' })).code, 0)
    t.equal((await sshRaw('ps echo', { as: 'eye' })).code, 0)
    const readPush = await pushAs('eye', echo, 'echo')
    t.not(readPush.code, 0)
    t.match(readPush.stderr, /key "eye" has role read; pushing needs role deploy/)
    const before2 = listing()
    await t.test('read key: deploy', (t) => refused(t, sshRaw('deploy echo', { as: 'eye' }), /key "eye" has role read; deploy needs role deploy/, before2))
    await t.test('read key: config', (t) => refused(t, sshRaw('config echo', { as: 'eye' }), /config needs role admin/, before2))

    // keys:remove: never the last admin; a removed key is gone at once
    const last = await sshRaw(`keys:remove ${JSON.parse(list.stdout).keys[0].name}`)
    t.not(last.code, 0)
    t.match(last.stderr, /is the last admin key/)
    // a line in authorized_keys without a record in the key list gets nothing
    const ghost = makeKey('ghost')
    appendFileSync(`${host.home}/.ssh/authorized_keys`, `command="${toolkitDir}/bin/piku-ssh ghost",restrict,pty ${ghost.trim()}\n`)
    const g = await sshRaw('apps', { as: 'ghost' })
    t.not(g.code, 0)
    t.match(g.stderr, /^error: key "ghost" is not in the key list; ask an admin to add it with keys:add$/m)

    const rm = await sshRaw('keys:remove eye')
    t.equal(rm.code, 0, rm.stderr)
    t.equal((await sshRaw('apps', { as: 'eye' })).code, 255, 'the removed key cannot log in')
  })

  t.test('hostile: pushed code (web, release, run) cannot reach another app, the keys or the account', async (t) => {
    const h = host.home
    // each attempt prints `ATTEMPT WHERE NAME ok|denied`; only the last two should succeed
    const attempts = [
      '#!/bin/sh',
      'where=$1',
      'try() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "ATTEMPT $where $name ok"; else echo "ATTEMPT $where $name denied"; fi; }',
      `try readEchoEnv cat ${h}/config/echo/ENV`,
      `try readKeys cat ${h}/config/.keys.json`,
      `try readRepo ls ${h}/repos/echo`,
      'try procEnviron grep -qas APP=echo /proc/[0-9]*/environ',
      `try writeAuthorizedKeys sh -c 'echo pwned >> ${h}/.ssh/authorized_keys'`,
      `try writeEchoHook sh -c 'echo pwned >> ${h}/repos/echo/hooks/pre-receive'`,
      `try writeEchoData sh -c 'echo pwned > ${h}/data/echo/pwned'`,
      `try writeEchoRelease sh -c 'echo pwned > ${h}/apps/echo/current/pwned'`,
      'try ownData sh -c \'echo mine > "$DATA_ROOT/$1.txt"\' x "$where"',
      `try reachNginx python3 -c 'import urllib.request; urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:${host.httpPort}/", headers={"Host": "echo.test"}))'`,
      '',
    ].join('\n')
    const evil = makeApp(top, {
      'attempts.sh': attempts,
      'public/index.html': 'evil\n',
      Procfile: 'web: sh attempts.sh web > public/out.txt; exec python3 -m http.server "$PORT" --bind "$BIND_ADDRESS"\nrelease: sh attempts.sh release\n',
      ENV: 'NGINX_SERVER_NAME=evil.test\n',
    })
    const judge = (where: string, text: string) => {
      const got = Object.fromEntries([...text.matchAll(new RegExp(`^ATTEMPT ${where} (\\w+) (ok|denied)`, 'gm'))].map((m) => [m[1], m[2]]))
      t.equal(Object.keys(got).length, 10, `${where}: every attempt ran`)
      for (const [name, outcome] of Object.entries(got)) t.equal(outcome, ['ownData', 'reachNginx'].includes(name) ? 'ok' : 'denied', `${where}: ${name}`)
    }
    const r = await push(host, evil, 'evil')
    t.equal(r.code, 0, r.stderr)
    judge('release', r.stderr.replace(/^remote: /gm, ''))
    judge('web', (await httpGet(host, 'evil.test', '/public/out.txt')).body)
    judge('run', (await sshRaw('run evil -- sh attempts.sh run')).stdout)
    t.notMatch(readFileSync(`${h}/.ssh/authorized_keys`, 'utf8'), /pwned/)
    t.notMatch(readFileSync(`${h}/repos/echo/hooks/pre-receive`, 'utf8'), /pwned/)
    t.notOk(existsSync(`${h}/data/echo/pwned`))
    t.notOk(existsSync(`${h}/apps/echo/current/pwned`))
    t.equal(readFileSync(`${h}/data/evil/web.txt`, 'utf8'), 'mine\n')

    // nginx: a pushed include that aliases the system, or a static link out of the release, is refused
    commitFiles(evil, { 'nginx.conf': 'location /etc/ { alias /etc/; }\n', ENV: 'NGINX_SERVER_NAME=evil.test\nNGINX_INCLUDE_FILE=nginx.conf\n' })
    const inc = await push(host, evil, 'evil')
    t.not(inc.code, 0)
    t.match(inc.stderr, /nginx\.conf:1: alias \/etc\/ is outside the app's release/)
    const { symlinkSync } = await import('node:fs')
    symlinkSync(`${h}/apps/echo/current`, join(evil, 'public', 'peek'))
    commitFiles(evil, { ENV: 'NGINX_SERVER_NAME=evil.test\nNGINX_STATIC_PATHS=/s/:public\n' })
    const link = await push(host, evil, 'evil')
    t.not(link.code, 0)
    t.match(link.stderr, /public\/peek: link\(s\) into the host's home outside this release/)
    // widening the sandbox from the push is refused; an admin's config:set is the way
    rmSync(join(evil, 'public', 'peek'))
    commitFiles(evil, { ENV: 'NGINX_SERVER_NAME=evil.test\nPIKU_SANDBOX_BIND=/\n' })
    const widen = await push(host, evil, 'evil')
    t.not(widen.code, 0)
    t.match(widen.stderr, /ENV:2: PIKU_SANDBOX_BIND widens the app's sandbox/)
    t.equal((await httpGet(host, 'evil.test', '/public/index.html')).body, 'evil\n', 'the first release keeps serving')
  })

  t.test('hostile: an app that swaps its static folder for a link at run time gets nothing outside its release', async (t) => {
    const h = host.home
    // the web process may write its release: it replaces public/ with a link to another app's release, which nginx
    // (www-data, in the group of apps/) can read; nginx must check links from the release folder, not from public/
    const swapper = `import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/swap':
            os.rename('public', 'public.old')
            os.symlink('${h}/apps/echo/current', 'public')
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'swapped' if self.path == '/swap' else b'app')
http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
`
    const dir = makeApp(top, {
      Procfile: 'web: exec python3 swap.py\n',
      'swap.py': swapper,
      'public/x.txt': 'mine\n',
      ENV: 'NGINX_SERVER_NAME=swap.test\nNGINX_STATIC_PATHS=/s/:public\n',
    })
    const r = await push(host, dir, 'swapper')
    t.equal(r.code, 0, r.stderr)
    t.equal((await httpGet(host, 'swap.test', '/s/x.txt')).body, 'mine\n', 'its own static file is served')
    t.equal((await httpGet(host, 'swap.test', '/swap')).body, 'swapped')
    const leak = await httpGet(host, 'swap.test', '/s/echo_env.py')
    t.not(leak.status, 200, 'the link the app put in place of public/ is not followed')
    t.notMatch(leak.body, /import json/, "no byte of the other app's release")
  })

  t.test('audit: who did what, with the outcome, no secret values, private', async (t) => {
    const file = `${host.home}/logs/.audit.log`
    const entries = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const find = (f: Record<string, unknown>) => entries.find((e) => Object.entries(f).every(([k, v]) => (v instanceof RegExp ? v.test(String(e[k])) : e[k] === v)))
    t.ok(find({ action: 'create', app: 'echo', outcome: 'ok' }), 'app created')
    t.ok(find({ action: 'push', app: 'echo', key: 'ci', outcome: 'ok', detail: /refs\/heads\/main/ }), 'push by ci')
    t.ok(find({ action: 'create', app: 'newapp', key: 'ci', outcome: 'refused' }), 'refused app creation')
    t.ok(find({ action: 'push', app: 'echo', key: 'eye', outcome: 'refused' }), 'refused push by a read key')
    t.ok(find({ action: 'config:set', app: 'echo', outcome: 'ok', detail: 'set X Y Z Q' }), 'config:set keys')
    t.ok(find({ action: 'config:set', app: 'echo', key: 'ci', outcome: 'refused' }), 'refused config:set')
    t.ok(find({ action: 'deploy', app: 'echo', key: 'ci', outcome: 'ok' }), 'deploy by ci')
    t.ok(find({ action: 'keys:add', detail: 'ci deploy echo', outcome: 'ok' }))
    t.ok(find({ action: 'keys:remove', detail: 'eye', outcome: 'ok' }))
    t.ok(find({ action: 'keys:remove', outcome: 'failed', message: /last admin key/ }))
    const text = readFileSync(file, 'utf8')
    for (const v of [NASTY.Y, NASTY.Z, NASTY.Q]) t.notOk(text.includes(JSON.stringify(v).slice(1, -1)), 'no config value in the audit log')
    t.notMatch(text, /exec-as-root|it's/)
    t.equal(statSync(file).mode & 0o777, 0o600)
  })
}
