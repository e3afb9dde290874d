// render/host: the host-level files install.sh writes, as committed snapshots.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

// whole rendered files, reviewed like code; kept beside the other fixtures (nothing but the design card's folders at the top)
t.snapshotFile = new URL('../fixtures/snapshots/render/host.cjs', import.meta.url).pathname
import { planRenewTime, renderEmperorIni, renderEmperorUnit, renderHostConf, renderHostEnv, renderListenDirectives, renderRenewVassal, renderSudoers, type HostValues } from '../../lib/render/host.js'

const template = (p: string) => readFileSync(new URL(`../../templates/${p}`, import.meta.url), 'utf8')
const loopback: HostValues = { user: 'phtest', home: '/home/phtest', httpPort: 28081, httpsPort: 28441, listen: ['127.0.0.1'], domain: '' }
const publicHost: HostValues = { user: 'piku', home: '/home/piku', httpPort: 80, httpsPort: 443, listen: [], domain: 'apps.example.org' }

t.test('renderHostEnv: ports, listen list, domain and user', async (t) => {
  t.equal(renderHostEnv(loopback), 'HTTP_PORT=28081\nHTTPS_PORT=28441\nLISTEN=127.0.0.1\nDOMAIN=\nPIKU_USER=phtest\n')
  t.equal(renderHostEnv({ ...loopback, memoryCgroup: '/sys/fs/cgroup/memory/piku-hooks-phtest' }), 'HTTP_PORT=28081\nHTTPS_PORT=28441\nLISTEN=127.0.0.1\nDOMAIN=\nPIKU_USER=phtest\nMEMORY_CGROUP=/sys/fs/cgroup/memory/piku-hooks-phtest\n')
  t.equal(renderHostEnv({ ...publicHost, listen: ['127.0.0.1', '[::1]'] }), 'HTTP_PORT=80\nHTTPS_PORT=443\nLISTEN=127.0.0.1 [::1]\nDOMAIN=apps.example.org\nPIKU_USER=piku\n')
})

t.test('renderListenDirectives: all addresses means IPv4 and IPv6 wildcards', async (t) => {
  t.equal(renderListenDirectives([], 80, ' default_server'), '    listen 80 default_server;\n    listen [::]:80 default_server;')
  t.equal(renderListenDirectives(['127.0.0.1', '[::1]'], 8080), '    listen 127.0.0.1:8080;\n    listen [::1]:8080;')
})

t.test('renderHostConf: a 404 default server and the include of the user\'s app files', async (t) => {
  const loop = renderHostConf(template('nginx/host.conf'), loopback)
  t.match(loop, /listen 127\.0\.0\.1:28081 default_server;\n\s+server_name _;\n\s+return 404;/)
  t.match(loop, /^include \/home\/phtest\/nginx\/\*\.conf;$/m)
  t.matchSnapshot(loop, 'loopback')
  t.matchSnapshot(renderHostConf(template('nginx/host.conf'), publicHost), 'all addresses')
})

t.test('renderEmperorIni: vassal folder, scan every second, pidfile, capped log', async (t) => {
  const ini = renderEmperorIni(template('uwsgi/emperor.ini'), loopback)
  t.notMatch(ini, /\{\{/)
  t.matchSnapshot(ini)
})

t.test('renderEmperorUnit: runs as the user, stops with SIGINT, restarts', async (t) => {
  const unit = renderEmperorUnit(template('systemd/piku-hooks-emperor.service'), publicHost, '/usr/bin/node', '/usr/local/lib/piku-hooks')
  t.match(unit, /^User=piku$/m)
  t.match(unit, /^KillSignal=SIGINT$/m)
  t.match(unit, /^Restart=always$/m)
  t.match(unit, /^Delegate=yes$/m, 'the unit\'s cgroup is the user\'s memory subtree')
  t.match(unit, /^ExecStartPre=\+\/usr\/bin\/node \/usr\/local\/lib\/piku-hooks\/dist\/lib\/entries\/memory-setup\.js piku$/m)
  t.match(unit, /^ExecStart=\/usr\/local\/lib\/piku-hooks\/bin\/piku-emperor \/home\/piku\/uwsgi\/emperor\.ini$/m)
  t.throws(() => renderEmperorUnit(template('systemd/piku-hooks-emperor.service'), publicHost, '/usr/bin/node', '/opt/my toolkit'))
  t.matchSnapshot(unit)
})

t.test('renderEmperorUnit: systemd-analyze verify finds nothing to say', { skip: !existsSync('/usr/bin/systemd-analyze') && 'no systemd-analyze here' }, async (t) => {
  const file = join(t.testdir(), 'piku-hooks-emperor-piku.service')
  // this checkout stands in for the installed toolkit: verify checks that ExecStart's bin/piku-emperor is there
  const checkout = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
  writeFileSync(file, renderEmperorUnit(template('systemd/piku-hooks-emperor.service'), publicHost, process.execPath, checkout))
  const res = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 })
  t.equal(res.status, 0)
  t.equal(res.stderr, '')
})

t.test('renderSudoers: only nginx reload, for that user', async (t) => {
  t.equal(renderSudoers(loopback), 'phtest ALL=(root) NOPASSWD: /usr/sbin/nginx -s reload\n')
})

t.test('renderHostConf: a template with an unknown placeholder throws', async (t) => {
  t.throws(() => renderHostConf('{{USER}} {{HOME}} {{LISTEN_DIRECTIVES}} {{PORT}}', loopback), /\{\{PORT\}\} has no value/)
  t.throws(() => renderHostConf('{{USER}} {{LISTEN_DIRECTIVES}}', loopback), /no placeholder \{\{HOME\}\}/)
})

t.test('renderHostConf: unknown names on the HTTPS port get no certificate and no app', async (t) => {
  const loop = renderHostConf(template('nginx/host.conf'), loopback)
  t.match(loop, /listen 127\.0\.0\.1:28441 ssl default_server;\n\s+server_name _;\n\s+ssl_reject_handshake on;/)
})

t.test('renderHostEnv: host-wide ACME settings only when given', async (t) => {
  const env = renderHostEnv({ ...publicHost, acme: { ACME_ROOT_CA: 'https://ca.lan/dir', ACME_EMAIL: 'me@example.org' } })
  t.match(env, /^ACME_ROOT_CA=https:\/\/ca\.lan\/dir$/m)
  t.match(env, /^ACME_EMAIL=me@example\.org$/m)
  t.notMatch(renderHostEnv(publicHost), /ACME/)
})

t.test('renderRenewVassal: a daily cron of the user\'s emperor, at a time fixed per user', async (t) => {
  const ini = renderRenewVassal(template('uwsgi/renew.ini'), loopback, '/usr/bin/node', '/usr/local/lib/piku-hooks')
  const { minute, hour } = planRenewTime('phtest')
  t.match(ini, `unique-cron = ${minute} ${hour} -1 -1 -1 /usr/bin/node /usr/local/lib/piku-hooks/dist/lib/entries/acme-issue.js --due`)
  t.ok(minute >= 0 && minute < 60 && hour >= 0 && hour < 24)
  t.not(`${planRenewTime('a').minute}:${planRenewTime('a').hour}`, `${planRenewTime('piku').minute}:${planRenewTime('piku').hour}`)
  t.matchSnapshot(ini)
  t.throws(() => renderRenewVassal(template('uwsgi/renew.ini'), loopback, '/usr/bin/node; rm', '/x'), /unsafe path/)
})
