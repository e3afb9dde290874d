// e2e/install: install.sh on this machine for a test user: layout, settings, nginx, emperor, keys, re-run, refusals.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { adminEnv, httpGet, repoRoot, run, setupHost, ssh, sshdLog, toolkitDir, escapeRegExp, type TestHost } from '../fixtures/host.js'

const user = 'phinstall'
const ports = { sshPort: 22221, httpPort: 28021, httpsPort: 28421 }

/** Whether this machine lets a process make a user namespace (not in a chroot, not refused by the kernel). */
function userNamespacesWork(): boolean {
  try {
    execFileSync('unshare', ['--user', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  const started = Date.now()
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
    t.comment(`setupHost took ${Date.now() - started} ms`)
  })

  const emperorPid = () => Number(readFileSync(`${host.home}/uwsgi/emperor.pid`, 'utf8'))
  const keyLines = () => readFileSync(`${host.home}/.ssh/authorized_keys`, 'utf8').split('\n').filter(Boolean)

  t.test('install: user in www-data with a 0750 home and the layout', async (t) => {
    t.equal(execFileSync('id', ['-gn', user]).toString().trim(), 'www-data')
    const home = statSync(host.home)
    t.equal(home.mode & 0o777, 0o750)
    t.equal(home.uid, Number(execFileSync('id', ['-u', user]).toString()))
    for (const [dir, mode] of Object.entries({ repos: 0o750, apps: 0o750, config: 0o700, logs: 0o700, 'uwsgi/vassals': 0o700, nginx: 0o750, '.ssh': 0o700 })) {
      t.equal(statSync(`${host.home}/${dir}`).mode & 0o777, mode, `${dir} is ${mode.toString(8)}`)
    }
  })

  t.test('install: host.env and emperor.ini', async (t) => {
    t.equal(
      readFileSync(`${host.home}/host.env`, 'utf8'),
      `HTTP_PORT=${host.httpPort}\nHTTPS_PORT=${host.httpsPort}\nLISTEN=127.0.0.1\nDOMAIN=\nPIKU_USER=phinstall\n` +
        // the user's memory cgroup subtree, on a host with a memory controller (cgroup v1 here, v2 elsewhere)
        (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') ? 'MEMORY_CGROUP=/sys/fs/cgroup/memory/piku-hooks-phinstall\n' : existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'MEMORY_CGROUP=/sys/fs/cgroup/piku-hooks-phinstall\n' : ''),
    )
    const ini = readFileSync(`${host.home}/uwsgi/emperor.ini`, 'utf8')
    t.match(ini, /^emperor = \/home\/phinstall\/uwsgi\/vassals$/m)
    t.match(ini, /^emperor-freq = 1$/m)
    t.match(ini, /^pidfile = \/home\/phinstall\/uwsgi\/emperor\.pid$/m)
    t.match(ini, /^log-maxsize = 1048576$/m)
    t.equal(readFileSync(`/etc/sudoers.d/piku-hooks-${user}`, 'utf8'), `${user} ALL=(root) NOPASSWD: /usr/sbin/nginx -s reload\n`)
    t.equal(statSync(`/etc/sudoers.d/piku-hooks-${user}`).mode & 0o777, 0o440)
  })

  t.test('install: the emperor runs as the user', async (t) => {
    const pid = emperorPid()
    t.equal(statSync(`/proc/${pid}`).uid, Number(execFileSync('id', ['-u', user]).toString()))
    t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /uwsgi/)
    // the master's emperor child must be alive too (it died at once under --daemonize2)
    const children = (await run('ps', ['--ppid', `${pid}`, '-o', 'comm='])).stdout.split('\n').filter(Boolean)
    t.ok(children.length >= 1, 'the emperor process runs under the master')
    t.match(readFileSync(`${host.home}/uwsgi/emperor.log`, 'utf8'), /starting uWSGI Emperor/)
  })

  t.test('install: nginx answers 404 for an unknown Host', async (t) => {
    const res = await httpGet(host, 'no-such-app.example')
    t.equal(res.status, 404)
  })

  t.test('install: the key is restricted to the forced command', async (t) => {
    const lines = keyLines()
    t.equal(lines.length, 1)
    t.match(lines[0], new RegExp(`^command="${escapeRegExp(toolkitDir)}/bin/piku-ssh e2e-phinstall",restrict,pty ssh-ed25519 AAAA\\S+ e2e@phinstall$`))
    const keys = JSON.parse(readFileSync(`${host.home}/config/.keys.json`, 'utf8'))
    t.match(keys, [{ name: 'e2e-phinstall', role: 'admin', fingerprint: /^SHA256:/ }])
    // the login reaches sshd's forced command: the user gets no shell, whatever the client asks
    const res = await ssh(host, ['echo', 'shell-reached'])
    t.notMatch(res.stdout, /shell-reached/)
    t.notMatch(sshdLog(host), /Authentication refused|User .* not allowed/)
  })

  t.test('install: a re-run keeps everything and does not duplicate the key', async (t) => {
    const before = { env: readFileSync(`${host.home}/host.env`, 'utf8'), keys: keyLines(), pid: emperorPid() }
    execFileSync('touch', [`${host.home}/repos/.kept`])
    const again = await run('bash', ['./install.sh', '--user', user, '--http-port', `${host.httpPort}`, '--https-port', `${host.httpsPort}`,
      '--listen', '127.0.0.1', '--key', `${host.keyFile}.pub`, '--toolkit', toolkitDir, '--no-build'], { cwd: repoRoot, env: adminEnv() })
    t.equal(again.code, 0, again.stderr)
    t.match(again.stderr, /already authorized/)
    if (userNamespacesWork()) {
      // bubblewrap works on this machine: install.sh's own probe must say so (it missed /lib64 on merged /usr)
      t.notMatch(host.install.stdout + host.install.stderr, /NOT sandboxed/, 'the first install found the sandbox')
      t.notMatch(again.stdout + again.stderr, /NOT sandboxed/, 'the re-run found the sandbox')
      t.match(again.stdout + again.stderr, /each app runs in its own bubblewrap sandbox/)
    } else {
      // the kernel refuses user namespaces here (the Node 18 pass runs in a chroot): never silent, with the reason
      for (const out of [host.install, again]) t.match(out.stderr, /warning: apps are NOT sandboxed on this host \(.+\); SANDBOX=require in \S+host\.env makes a push fail instead/s)
    }
    t.same(keyLines(), before.keys)
    t.equal(readFileSync(`${host.home}/host.env`, 'utf8'), before.env)
    t.equal(emperorPid(), before.pid, 'the running emperor is kept')
    t.ok(readdirSync(`${host.home}/repos`).includes('.kept'))
    t.equal((await httpGet(host, 'unknown.example')).status, 404)
  })

  t.test('install: refuses a non-root user with one line', async (t) => {
    // a copy in a world-readable folder: the checkout itself may sit under /root
    const dir = mkdtempSync(join(tmpdir(), 'piku-hooks-install-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    chmodSync(dir, 0o755)
    copyFileSync(join(repoRoot, 'install.sh'), join(dir, 'install.sh'))
    const res = await run('runuser', ['-u', 'nobody', '--', 'bash', join(dir, 'install.sh')], { cwd: '/' })
    t.not(res.code, 0)
    t.equal(res.stderr, 'install.sh: must run as root (try: sudo ./install.sh)\n')
  })

  t.test('install: refuses a bad port with one line naming it', async (t) => {
    const res = await run('bash', ['./install.sh', '--user', user, '--http-port', 'x'], { cwd: repoRoot })
    t.not(res.code, 0)
    t.equal(res.stderr, 'install.sh: --http-port: not a port number (1-65535): x\n')
    const missing = await run('bash', ['./install.sh', '--key', '/nonexistent/key.pub'], { cwd: repoRoot })
    t.equal(missing.stderr, 'install.sh: --key: no such readable file: /nonexistent/key.pub\n')
    const badUser = await run('bash', ['./install.sh', '--user', 'Bad User'], { cwd: repoRoot })
    t.equal(badUser.stderr, 'install.sh: --user: invalid user name: Bad User\n')
  })
}
