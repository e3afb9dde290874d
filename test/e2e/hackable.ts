// e2e hackable: the host an admin customises by hand, tried as a new user would. A fresh install, a push;
// then as the piku user: edit the app's hook and its nginx template, add a pre-receive.d gate, a
// post-receive.d notifier and an admin zx verb. The gate refuses a push with its message and nothing moves;
// the notifier sees the new release; the template edit shows in that app's responses only; a broken edit is
// refused naming the file; install.sh from a newer checkout keeps every edit while stock copies follow it.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, run, repoRoot, toolkitDir, type RunResult, type TestHost } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const USER = 'phhack'
const host: TestHost = await setupHost(t, { user: USER, sshPort: 22311, httpPort: 28111, httpsPort: 28511 })
const home = host.home

/** Write a file as the piku user would (owned by it), with `mode`. */
function writeAsUser(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  chmodSync(path, mode)
  execFileSync('chown', ['-R', `${USER}:www-data`, dirname(path)])
}
const asUser = (args: string[]) => run('runuser', ['-u', USER, '--', 'env', '-i', `HOME=${home}`, `USER=${USER}`, 'PATH=/usr/local/bin:/usr/bin:/bin', ...args])

const server = (v: string) =>
  [
    "require('http').createServer((q, s) => s.end(`" + `${v}` + " ${process.env.APP}\\n`)).listen(process.env.PORT, process.env.BIND_ADDRESS)",
    '',
  ].join('\n')
const web = makeApp(t, { 'server.js': server('v1'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=web.hack.test\n' })
const other = makeApp(t, { 'server.js': server('v1'), Procfile: 'web: node server.js\n', ENV: 'NGINX_SERVER_NAME=other.hack.test\n' })
const remoteSha = async (app: string): Promise<string> => {
  const r = await run('git', ['ls-remote', `${USER}@127.0.0.1:${app}`, 'refs/heads/main'], { env: { ...process.env, GIT_SSH_COMMAND: host.gitSshCommand } })
  return r.stdout.split('\t')[0]
}
const headSha = (dir: string) => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim()
const bodyOf = async (name: string) => (await httpGet(host, name)).body
const ok = (t: Test, r: RunResult, what: string) => t.equal(r.code, 0, `${what}: ${r.stderr}`)

t.test('hackable: the first push writes real hook files and the templates into the repo', async (t) => {
  ok(t, await push(host, web, 'web'), 'push web')
  const o = await push(host, other, 'other')
  ok(t, o, 'push other')
  t.match(o.stderr, /wrote other's git hooks and templates into repos\/other\//)
  for (const h of ['pre-receive', 'post-receive']) {
    const file = join(home, 'repos/web/hooks', h)
    const st = lstatSync(file)
    t.ok(st.isFile() && !st.isSymbolicLink(), `${h} is a real file`)
    t.equal(st.mode & 0o111, 0o111, `${h} is executable`)
    t.equal(st.uid, Number(execFileSync('id', ['-u', USER]).toString()), `${h} is owned by ${USER}`)
    const text = readFileSync(file, 'utf8')
    t.match(text, /^#!\/usr\/bin\/env node\n/)
    t.match(text, /it is yours to edit/)
    t.match(text, `'${toolkitDir}/dist/lib/deploy/${h}.js'`, 'it calls the installed toolkit by absolute path')
    t.ok(text.split('\n').length < 20, 'short')
  }
  for (const f of ['nginx/app.conf', 'nginx/server-body.conf', 'uwsgi/wsgi-loader.py']) t.ok(existsSync(join(home, 'repos/web/templates', f)), f)
  t.notOk(existsSync(join(home, 'repos/web/templates/nginx/host.conf')), "the host's own template stays in the toolkit")
  t.equal(await bodyOf('web.hack.test'), 'v1 web\n')
  const list = await ssh(host, ['hooks', 'web', '--json'])
  ok(t, list, 'hooks --json')
  const report = JSON.parse(list.stdout)
  t.ok(report.files.length > 10 && report.files.every((f: { status: string }) => f.status === 'stock'), 'every copy is stock')
})

const gate = [
  '#!/bin/sh',
  '# refuses any commit with a BLOCK file; records what it was given',
  'env | sort > "$HOME/gate-env.txt"',
  'cat > "$HOME/gate-stdin.txt"',
  'pwd > "$HOME/gate-cwd.txt"',
  'if [ -e SLOW ]; then sleep 30; fi',
  'if [ -e BLOCK ]; then echo "gate: BLOCK file found in $PIKU_NEW_SHA, refusing $PIKU_REF"; exit 3; fi',
  'echo "gate: ok for $PIKU_APP by $PIKU_KEY"',
  '',
].join('\n')
const notifier = ['#!/bin/sh', 'echo "$PIKU_APP $PIKU_RELEASE $PIKU_RELEASE_DIR ${PIKU_PREVIOUS_RELEASE:-none}" >> "$HOME/notified.log"', 'echo "notified the chat room"', ''].join('\n')
const greet = [
  '#!/usr/bin/env zx',
  '// role: read',
  "// help: say hello to an app, with the number of its releases",
  'const [app, ...rest] = argv._',
  'const releases = (await $`ls ${process.env.HOME}/apps/${app}/releases`).stdout.split("\\n").filter((f) => /^v\\d+$/.test(f))',
  'echo(`hello ${app} (${releases.length} releases, key ${process.env.PIKU_KEY}): ${rest.join("|")} ${(await stdin()).trim()}`)',
  '',
].join('\n')

t.test('hackable: the admin edits the hook and the template and adds a gate, a notifier and verbs', async (t) => {
  const pre = join(home, 'repos/web/hooks/pre-receive')
  writeAsUser(pre, readFileSync(pre, 'utf8') + "process.stderr.write('my pre-receive edit ran\\n')\n", 0o755)
  const body = join(home, 'repos/web/templates/nginx/server-body.conf')
  writeAsUser(body, '    add_header X-Hackable edited;\n' + readFileSync(body, 'utf8'))
  writeAsUser(join(home, 'repos/web/hooks/pre-receive.d/10-gate'), gate, 0o755)
  // leftovers and a disabled step never run
  writeAsUser(join(home, 'repos/web/hooks/pre-receive.d/10-gate~'), '#!/bin/sh\necho leftover ran; exit 1\n', 0o755)
  writeAsUser(join(home, 'repos/web/hooks/pre-receive.d/.#10-gate'), '#!/bin/sh\necho leftover ran; exit 1\n', 0o755)
  writeAsUser(join(home, 'repos/web/hooks/pre-receive.d/20-disabled'), '#!/bin/sh\necho disabled ran; exit 1\n', 0o644)
  writeAsUser(join(home, 'hooks/post-receive.d/50-notify'), notifier, 0o755)
  writeAsUser(join(home, 'hooks/post-receive.d/60-fails'), '#!/bin/sh\necho "60-fails: could not reach the chat room" >&2\nexit 2\n', 0o755)
  writeAsUser(join(home, 'verbs/greet'), greet, 0o755)
  writeAsUser(join(home, 'verbs/exit-with'), '#!/bin/sh\n# help: exit with the given status\necho "args: $#: $*"\nexit "$1"\n', 0o755)
  writeAsUser(join(home, 'verbs/apps'), '#!/bin/sh\necho shadowed\n', 0o755)
  const list = await ssh(host, ['hooks', 'web'])
  ok(t, list, 'hooks web')
  t.match(list.stdout, /hooks\/pre-receive +edited/)
  t.match(list.stdout, /hooks\/post-receive +stock/)
  t.match(list.stdout, /templates\/nginx\/server-body\.conf +edited/)
  t.match(list.stdout, /scripts, in the order they run:\n +repos\/web\/hooks\/pre-receive\.d\/10-gate +pre-receive\.d, this app\n +~\/hooks\/post-receive\.d\/50-notify +post-receive\.d, every app\n +~\/hooks\/post-receive\.d\/60-fails/)
  t.notMatch(list.stdout, /10-gate~|20-disabled|\.#10-gate/)
})

t.test('hackable: a push runs the edited hook, the gate and the notifier; the template edit shows in that app only', async (t) => {
  commitFiles(web, { 'server.js': server('v2') }, 'v2')
  const r = await push(host, web, 'web')
  ok(t, r, 'push v2')
  t.match(r.stderr, /remote: my pre-receive edit ran/)
  t.match(r.stderr, /pre-receive\.d: running repos\/web\/hooks\/pre-receive\.d\/10-gate/)
  t.match(r.stderr, /remote: gate: ok for web by e2e-phhack/)
  t.notMatch(r.stderr, /leftover ran|disabled ran/)
  t.match(r.stderr, /post-receive\.d: running ~\/hooks\/post-receive\.d\/50-notify[\s\S]*notified the chat room/)
  t.match(r.stderr, /warning: post-receive\.d: ~\/hooks\/post-receive\.d\/60-fails exited 2 \(the release is live/)
  t.equal(await bodyOf('web.hack.test'), 'v2 web\n')
  t.equal(await remoteSha('web'), headSha(web))

  const notified = readFileSync(join(home, 'notified.log'), 'utf8').trim().split('\n')
  t.equal(notified.at(-1), `web v2 ${home}/apps/web/releases/v2 v1`, 'the notifier sees the new release and the previous one')
  const env = readFileSync(join(home, 'gate-env.txt'), 'utf8')
  t.match(env, /^PIKU_APP=web$/m)
  t.match(env, /^PIKU_KEY=e2e-phhack$/m)
  t.match(env, new RegExp(`^PIKU_NEW_SHA=${headSha(web)}$`, 'm'))
  t.match(env, /^PIKU_REF=refs\/heads\/main$/m)
  t.match(env, new RegExp(`^PATH=${toolkitDir}/node_modules/\\.bin:`, 'm'), "the toolkit's zx comes first on PATH")
  t.notMatch(env, /^GIT_/m, 'a clean environment: no GIT_DIR, GIT_QUARANTINE_PATH, ...')
  t.match(readFileSync(join(home, 'gate-stdin.txt'), 'utf8'), new RegExp(`^[0-9a-f]{40} ${headSha(web)} refs/heads/main\\n$`), "stdin is git's ref lines")
  t.match(readFileSync(join(home, 'gate-cwd.txt'), 'utf8'), new RegExp(`^${home}/apps/web/releases/v2\\n$`), "it runs in the pushed commit's files")
  const log = readFileSync(join(home, 'logs/web/deploys/v2.log'), 'utf8')
  t.match(log, /gate: ok for web/, 'the gate output is in the deploy log')
  t.match(log, /60-fails: could not reach the chat room[\s\S]*warning: post-receive\.d: ~\/hooks\/post-receive\.d\/60-fails exited 2/, 'so is the failed notifier')

  const mine = await httpGet(host, 'web.hack.test')
  t.equal(mine.headers['x-hackable'], 'edited', "the edited template shapes web's responses")
  ok(t, await push(host, other, 'other'), 'push other (nothing new)')
  const theirs = await httpGet(host, 'other.hack.test')
  t.equal(theirs.status, 200)
  t.equal(theirs.headers['x-hackable'], undefined, 'and only web')
})

t.test('hackable: the gate refuses a push with its message, and nothing moves', async (t) => {
  const before = await remoteSha('web')
  const releases = readdirSync(join(home, 'apps/web/releases')).sort()
  commitFiles(web, { BLOCK: 'no\n', 'server.js': server('v3') }, 'blocked')
  const r = await push(host, web, 'web')
  t.not(r.code, 0)
  t.match(r.stderr, new RegExp(`remote: gate: BLOCK file found in ${headSha(web)}, refusing refs/heads/main`))
  t.match(r.stderr, /pre-receive\.d: repos\/web\/hooks\/pre-receive\.d\/10-gate exited 3: the push is refused; the running release is unchanged/)
  t.equal(await remoteSha('web'), before, 'the ref did not move')
  t.equal(await bodyOf('web.hack.test'), 'v2 web\n', 'the running release is untouched')
  t.same(readdirSync(join(home, 'apps/web/releases')).sort(), releases, 'no release was left behind')
  t.equal(readlinkSafe(join(home, 'apps/web/current')), 'releases/v2')
})

function readlinkSafe(p: string): string {
  try {
    return execFileSync('readlink', [p]).toString().trim()
  } catch {
    return ''
  }
}

t.test('hackable: a gate that runs too long is stopped at PIKU_HOOK_TIMEOUT and refuses the push', async (t) => {
  ok(t, await ssh(host, ['config:set', 'web', 'PIKU_HOOK_TIMEOUT=2']), 'config:set')
  execFileSync('git', ['rm', '-q', 'BLOCK'], { cwd: web })
  commitFiles(web, { SLOW: 'yes\n' }, 'slow')
  const start = Date.now()
  const r = await push(host, web, 'web')
  t.not(r.code, 0)
  t.ok(Date.now() - start < 20_000, 'it did not wait for the 30 s sleep')
  t.match(r.stderr, /10-gate did not finish within 2 s \(PIKU_HOOK_TIMEOUT\) and was stopped: the push is refused/)
  t.equal(await bodyOf('web.hack.test'), 'v2 web\n')
  execFileSync('git', ['rm', '-q', 'SLOW'], { cwd: web })
  commitFiles(web, { 'server.js': server('v3') }, 'v3')
  ok(t, await push(host, web, 'web'), 'push v3')
  t.equal(await bodyOf('web.hack.test'), 'v3 web\n')
})

t.test('hackable: a broken template edit is refused naming the file, nginx line and message; nothing changes', async (t) => {
  const body = join(home, 'repos/web/templates/nginx/server-body.conf')
  const good = readFileSync(body, 'utf8')
  t.teardown(() => writeAsUser(body, good))
  const before = await remoteSha('web')
  writeAsUser(body, good.replace('    add_header X-Hackable edited;\n', '    add_header X-Hackable edited;\n    add_headr X-Broken yes;\n'))
  commitFiles(web, { 'server.js': server('v4') }, 'v4')
  const r = await push(host, web, 'web')
  t.not(r.code, 0)
  const line = good.split('\n').findIndex((l) => l.includes('X-Hackable')) + 2
  t.match(r.stderr, new RegExp(`repos/web/templates/nginx/server-body\\.conf:${line} \\(your edit\\): nginx: unknown directive "add_headr" in \\S+:\\d+; the running release is unchanged`))
  t.equal(await remoteSha('web'), before)
  t.equal(await bodyOf('web.hack.test'), 'v3 web\n')

  writeAsUser(body, '# {{NOPE}}\n' + good)
  const p = await push(host, web, 'web')
  t.not(p.code, 0)
  t.match(p.stderr, new RegExp(`repos/web/templates/nginx/server-body\\.conf:1: unknown placeholder \\{\\{NOPE\\}\\}`))
  t.equal(await bodyOf('web.hack.test'), 'v3 web\n')
  writeAsUser(body, good)
  ok(t, await push(host, web, 'web'), 'the good edit deploys again')
  t.equal(await bodyOf('web.hack.test'), 'v4 web\n')
})

t.test('hackable: admin verbs: a zx script as a verb, argv without a shell, stdio and exit status, roles, help, audit', async (t) => {
  const g = await ssh(host, ['greet', 'web', "'a b'", "';touch /tmp/phhack-pwned'"], { input: 'from stdin\n' })
  ok(t, g, 'greet')
  t.match(g.stdout, /^hello web \([1-5] releases, key e2e-phhack\): a b\|;touch \/tmp\/phhack-pwned from stdin\n$/)
  t.notOk(existsSync('/tmp/phhack-pwned'), 'no shell saw the arguments')
  const e = await ssh(host, ['exit-with', '7', "'two words'"])
  t.equal(e.code, 7, 'the exit status passes through')
  t.equal(e.stdout, 'args: 2: 7 two words\n')
  t.equal((await ssh(host, ['apps'])).stdout.includes('shadowed'), false, 'a built-in is never shadowed')
  const help = await ssh(host, ['help'])
  t.match(help.stdout, /This host's own verbs \(~\/verbs\):\n {2}exit-with {2}exit with the given status\n {2}greet APP {2}say hello to an app, with the number of its releases \[read\]/)
  t.notMatch(help.stdout, /shadowed|^ {2}apps +\(/m)

  // a read key: its own app only, and no admin verb
  const keyFile = join(mkdtempSync(join(tmpdir(), 'phhack-key-')), 'reader')
  t.teardown(() => rmSync(dirname(keyFile), { recursive: true, force: true }))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'reader@e2e', '-f', keyFile])
  ok(t, await ssh(host, ['keys:add', 'reader', 'read', 'web'], { input: readFileSync(`${keyFile}.pub`, 'utf8') }), 'keys:add reader')
  const reader = { ...host, gitSshCommand: host.gitSshCommand.replace(host.keyFile, keyFile) }
  const mine = await ssh(reader, ['greet', 'web'], { input: '' })
  ok(t, mine, 'reader greets web')
  t.match(mine.stdout, /key reader/)
  const theirs = await ssh(reader, ['greet', 'other'])
  t.not(theirs.code, 0)
  t.equal(theirs.stderr, 'error: key "reader" (role read) may not use app "other"; an admin can grant it with keys:add\n')
  const admin = await ssh(reader, ['exit-with', '0'])
  t.not(admin.code, 0)
  t.equal(admin.stderr, 'error: key "reader" has role read; exit-with needs role admin\n')
  const noApp = await ssh(host, ['greet'])
  t.not(noApp.code, 0)
  t.match(noApp.stderr, /^error: usage: greet APP \.\.\.: a read verb takes the app first\n$/)

  const audit = readFileSync(join(home, 'logs/.audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  t.ok(audit.find((a) => a.action === 'greet' && a.app === 'web' && a.key === 'e2e-phhack' && a.outcome === 'ok'), 'greet is audited')
  t.ok(audit.find((a) => a.action === 'exit-with' && a.outcome === 'failed' && a.message === 'exit 7'))
  t.ok(audit.find((a) => a.action === 'greet' && a.app === 'other' && a.key === 'reader' && a.outcome === 'refused'))
})

t.test('hackable: install.sh from a newer checkout keeps every edit working; stock copies follow the upgrade', async (t) => {
  // the newer checkout: this one with a changed stock template and changed stock hooks, built as `npm run build` would
  const newer = mkdtempSync(join(tmpdir(), 'piku-hooks-newer-'))
  t.teardown(() => rmSync(newer, { recursive: true, force: true }))
  for (const f of ['install.sh', 'dist', 'templates', 'bin', 'package.json', 'package-lock.json']) cpSync(join(repoRoot, f), join(newer, f), { recursive: true })
  const sb = join(newer, 'templates/nginx/server-body.conf')
  writeFileSync(sb, '    add_header X-Stock-Version 2;\n' + readFileSync(sb, 'utf8'))
  for (const h of ['pre-receive', 'post-receive']) writeFileSync(join(newer, `dist/hooks/${h}.cjs`), readFileSync(join(newer, `dist/hooks/${h}.cjs`), 'utf8') + '// a newer stock version\n')
  execFileSync(process.execPath, [join(newer, 'dist/lib/entries/stock-hashes.js')])
  // `other` as an older install left it: hooks linked to the toolkit's shims, no templates of its own
  for (const h of ['pre-receive', 'post-receive']) {
    rmSync(join(home, 'repos/other/hooks', h))
    symlinkSync(join(toolkitDir, 'bin', h), join(home, 'repos/other/hooks', h))
  }
  rmSync(join(home, 'repos/other/templates'), { recursive: true })
  rmSync(join(home, 'repos/other/piku-stock.sha256'))

  const args = ['--user', USER, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`, '--listen', '127.0.0.1', '--no-build', '--toolkit', toolkitDir]
  const r = await run('bash', [join(newer, 'install.sh'), ...args], { cwd: newer })
  t.teardown(() => run('bash', ['./install.sh', ...args], { cwd: repoRoot }))
  ok(t, r, 'install.sh from the newer checkout')
  t.match(r.stdout, /kept your edit of repos\/web\/templates\/nginx\/server-body\.conf; the new stock version is at repos\/web\/templates\/nginx\/server-body\.conf\.stock/)
  t.match(r.stdout, /kept your edit of repos\/web\/hooks\/pre-receive; the new stock version is at repos\/web\/hooks\/pre-receive\.stock/)
  t.match(r.stdout, /updated 1 unedited stock copy in repos\/web\/: hooks\/post-receive/)
  t.match(r.stdout, /updated 2 unedited stock copies in repos\/other\/: hooks\/pre-receive, hooks\/post-receive\n/, 'the old links became files')
  t.match(r.stdout, /wrote \d+ missing stock copies into repos\/other\/: templates\/nginx\/app-https-only\.conf, templates\/nginx\/app\.conf, \S+ and \d+ more\n/)
  t.ok(lstatSync(join(home, 'repos/other/hooks/pre-receive')).isFile())
  t.ok(statSync(join(home, 'repos/web/hooks/pre-receive.stock')).isFile())
  t.match(readFileSync(join(home, 'repos/web/hooks/post-receive'), 'utf8'), /a newer stock version/)
  t.match(readFileSync(join(home, 'repos/web/hooks/pre-receive'), 'utf8'), /my pre-receive edit ran/)
  t.equal(await bodyOf('web.hack.test'), 'v4 web\n', 'still serving throughout')

  const doctor = await ssh(host, ['doctor'])
  t.match(doctor.stdout, /^warn {2}edits web: the stock version of your edited repos\/web\/hooks\/pre-receive, repos\/web\/templates\/nginx\/server-body\.conf changed since/m)
  t.notMatch(doctor.stdout, /edits other/)
  const list = JSON.parse((await ssh(host, ['hooks', 'web', '--json'])).stdout)
  t.same(
    list.files.filter((f: { status: string }) => f.status !== 'stock').map((f: { path: string; behind: boolean }) => [f.path, f.behind]),
    [
      ['hooks/pre-receive', true],
      ['templates/nginx/server-body.conf', true],
    ],
  )

  commitFiles(web, { 'server.js': server('v5') }, 'v5')
  const p = await push(host, web, 'web')
  ok(t, p, 'push web after the upgrade')
  t.match(p.stderr, /remote: my pre-receive edit ran/, 'the edited hook still runs')
  t.match(p.stderr, /gate: ok for web/, 'and the gate')
  t.notMatch(p.stderr, /kept your edit/, 'said once, by install.sh')
  const w = await httpGet(host, 'web.hack.test')
  t.equal(w.body, 'v5 web\n')
  t.equal(w.headers['x-hackable'], 'edited', "web's template edit still works")
  t.equal(w.headers['x-stock-version'], undefined, 'and it was not overwritten')
  commitFiles(other, { 'server.js': server('v2') }, 'v2')
  ok(t, await push(host, other, 'other'), 'push other after the upgrade')
  const o = await httpGet(host, 'other.hack.test')
  t.equal(o.headers['x-stock-version'], '2', "other's stock copy follows the upgrade")
  t.equal(o.headers['x-hackable'], undefined)

  const reset = await ssh(host, ['hooks:reset', 'web', 'templates/nginx/server-body.conf'])
  ok(t, reset, 'hooks:reset')
  t.match(reset.stdout, /^put back the stock repos\/web\/templates\/nginx\/server-body\.conf; your edit is in repos\/web\/templates\/nginx\/server-body\.conf\.edited-\d{8}T\d{6}Z\n$/)
  const aside = readdirSync(join(home, 'repos/web/templates/nginx')).filter((f) => f.startsWith('server-body.conf.edited-'))
  t.equal(aside.length, 1)
  t.match(readFileSync(join(home, 'repos/web/templates/nginx', aside[0]), 'utf8'), /X-Hackable edited/, 'nothing lost')
  t.notOk(existsSync(join(home, 'repos/web/templates/nginx/server-body.conf.stock')))
  ok(t, await ssh(host, ['deploy', 'web']), 'deploy web')
  const after = await httpGet(host, 'web.hack.test')
  t.equal(after.headers['x-stock-version'], '2')
  t.equal(after.headers['x-hackable'], undefined)
  const bad = await ssh(host, ['hooks:reset', 'web', '../../etc/passwd'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /^error: hooks:reset: "..\/..\/etc\/passwd" is not a hook or template of web; "hooks web" lists them\n$/)
  const check = await asUser(['test', '-O', join(home, 'repos/web/templates/nginx/server-body.conf')])
  t.equal(check.code, 0, 'the stock copy put back is the user\'s file')
})
