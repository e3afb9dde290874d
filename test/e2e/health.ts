// e2e health: one health rule for the push, the crash watch and doctor. An app with PIKU_HEALTH_STATUS=200-399
// whose / turns to 404 after its switch (once a file appears in its DATA_ROOT) is rolled back by the watch as a
// crashing one would be, and doctor calls a live release that answers 404 failing, naming the rule.
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setupHost, ssh, makeApp, commitFiles, push, httpGet, waitFor } from '../fixtures/host.js'

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root (they create users and start sshd)')
  process.exit(0)
}

const host = await setupHost(t, { user: 'phhealth', sshPort: 22560, httpPort: 28360, httpsPort: 28760 })

/** A server answering `version V`; with `turns`, 404 once DATA_ROOT/broken exists (checked at each request). */
const server = (version: string, turns: boolean) =>
  [
    "const http = require('http')",
    "const { existsSync } = require('fs')",
    "const broken = require('path').join(process.env.DATA_ROOT, 'broken')",
    'http.createServer((req, res) => {',
    `  if (${turns} && existsSync(broken)) { res.statusCode = 404; return res.end('gone\\n') }`,
    `  res.end('version ${version}\\n')`,
    '}).listen(process.env.PORT, process.env.BIND_ADDRESS)',
    '',
  ].join('\n')
const files = (name: string, version: string, turns: boolean) => ({
  'server.js': server(version, turns),
  Procfile: 'web: node server.js\n',
  ENV: `NGINX_SERVER_NAME=${name}\nPIKU_HEALTH_STATUS=200-399\nPIKU_HEALTH_TIMEOUT=30\n`,
})
/** Make DATA_ROOT/broken of `app` appear (or go), as the app's user would see it. */
const breakApp = (app: string, on: boolean) => {
  const data = join(host.home, 'data', app)
  mkdirSync(data, { recursive: true })
  if (on) writeFileSync(join(data, 'broken'), 'yes\n')
  else rmSync(join(data, 'broken'), { force: true })
}
type Release = { id: string; outcome: string; reason: string }
const releases = async (app: string): Promise<Release[]> => {
  const r = await ssh(host, ['releases', app, '--json'])
  return r.code === 0 ? JSON.parse(r.stdout).releases : []
}

t.test('health: a release that answers 404 against PIKU_HEALTH_STATUS=200-399 after its switch is rolled back by the watch', async (t) => {
  const app = makeApp(t, files('turn.test', '1', false))
  const first = await push(host, app, 'turn')
  t.equal(first.code, 0, first.stderr)
  t.equal((await httpGet(host, 'turn.test')).body, 'version 1\n')

  commitFiles(app, files('turn.test', '2', true), 'answers 404 once DATA_ROOT/broken exists')
  const second = await push(host, app, 'turn')
  t.equal(second.code, 0, second.stderr)
  t.equal((await httpGet(host, 'turn.test')).body, 'version 2\n', 'the new release passed the push health check and serves')
  const v2 = (await releases('turn'))[0]
  t.equal(v2?.outcome, 'live')

  breakApp('turn', true) // from now on the new release answers 404: a status below 500, but outside 200-399
  t.teardown(() => breakApp('turn', false))
  const rolledBack = await waitFor(async () => (await releases('turn')).some((r) => r.id === v2.id && r.outcome === 'rolled-back'), 120_000, 500)
  t.ok(rolledBack, `${v2.id} is recorded as rolled back`)
  const rows = await releases('turn')
  t.equal(rows.find((r) => r.outcome === 'live')?.id, rows.find((r) => r.id !== v2.id)?.id, 'the previous release is live again')
  t.ok(await waitFor(async () => (await httpGet(host, 'turn.test')).body === 'version 1\n', 30_000), 'the old release serves again')
  t.match(readFileSync(join(host.home, 'logs', 'turn', 'watch.log'), 'utf8'), /failed \d+ health checks after the switch \(last: port \d+: status 404, expected 200-399/, 'the watch log says why')

  const doc = await ssh(host, ['doctor'])
  t.match(doc.stdout, new RegExp(`^warn\\s+app turn: v\\d+ runs, but ${v2.id} failed its health check after the switch`, 'm'), 'doctor warns of the rollback')
})

t.test('health: doctor reports a live release that answers 404 against PIKU_HEALTH_STATUS as failing', async (t) => {
  const app = makeApp(t, files('gone.test', '1', true))
  const r = await push(host, app, 'gone')
  t.equal(r.code, 0, r.stderr)
  const healthy = await ssh(host, ['doctor'])
  t.match(healthy.stdout, /^ok\s+app gone: v\d+ running, 1 web worker\(s\) answering/m, 'healthy while / answers 200')

  breakApp('gone', true)
  t.teardown(() => breakApp('gone', false))
  t.equal((await httpGet(host, 'gone.test')).status, 404, 'the app now answers 404')
  const doc = await ssh(host, ['doctor'])
  t.equal(doc.code, 1, 'doctor exits 1 on a FAIL')
  t.match(doc.stdout, /^FAIL\s+app gone: 1 of 1 web worker\(s\) fail the health check \(port \d+: status 404, expected 200-399 \(PIKU_HEALTH_STATUS\)\)/m, 'doctor names the rule the answer breaks')
})
