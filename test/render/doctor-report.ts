// tests: doctor's pure checks (apps, disk, memory, certificates, edited copies), its lines and its exit code.
import t from 'tap'
import { planAppCheck, planDiskCheck, planMemoryCheck, planCertCheck, planCopiesCheck, renderChecks, doctorExitCode, type AppFacts } from '../../lib/render/doctor-report.js'

const now = Date.parse('2024-06-01T12:00:00Z')
const facts = (f: Partial<AppFacts>): AppFacts => ({ app: 'web', release: 'v3', stopped: false, active: true, workers: 2, vassals: 2, webPorts: 1, failingPorts: [], now, ...f })

t.test('doctor: one line per app state', async (t) => {
  t.match(planAppCheck(facts({})), { level: 'ok', message: 'v3 running, 1 web worker(s) answering' })
  t.match(planAppCheck(facts({ release: undefined })), { level: 'warn', message: /never deployed/ })
  t.match(planAppCheck(facts({ stopped: true, active: false })), { level: 'ok', message: /stopped \(by stop\); deploy web/ })
  t.match(planAppCheck(facts({ active: false })), { level: 'FAIL', message: /not running and was not stopped: deploy web/ })
  t.match(planAppCheck(facts({ vassals: 1 })), { level: 'FAIL', message: /1 of 2 worker\(s\) have a vassal file: restart web/ })
  t.match(planAppCheck(facts({ failingPorts: [{ port: 20001, reason: 'no answer' }] })), { level: 'FAIL', message: /1 of 1 web worker\(s\) do not answer/ })
  t.match(planAppCheck(facts({ webPorts: 2, failingPorts: [{ port: 20001, reason: 'status 404, expected 200-399 (PIKU_HEALTH_STATUS)' }, { port: 20002, reason: 'no answer' }] })), {
    level: 'FAIL',
    message: /^2 of 2 web worker\(s\) fail the health check \(port 20001: status 404, expected 200-399 \(PIKU_HEALTH_STATUS\); port 20002: no answer\)/,
  }, 'a wrong answer by the app\'s own rule fails, with why')
  t.match(planAppCheck(facts({ lastRollback: { time: '2024-06-01T11:00:00Z', id: 'v4' } })), { level: 'warn', message: /v4 failed its health check after the switch \(a crash loop or a wrong answer\) and was rolled back/ })
  t.match(planAppCheck(facts({ lastRollback: { time: '2024-05-01T11:00:00Z', id: 'v4' } })), { level: 'ok' }, 'an old rollback is history')
  t.match(planAppCheck(facts({ maintenance: '2024-06-01T10:00:00Z' })), { level: 'warn', message: 'v3 running, but in maintenance mode since 2024-06-01T10:00:00Z: every request gets 503 until maintenance:off web' })
  t.match(planAppCheck(facts({ maintenance: '2024-06-01T10:00:00Z', failingPorts: [{ port: 1, reason: 'no answer' }] })), { level: 'FAIL' }, 'a real failure comes first')
})

t.test('doctor: disk, memory and certificates', async (t) => {
  const G = 1024 ** 3
  t.match(planDiskCheck('/h', 50 * G, 100 * G, undefined, '50.0 GiB'), { level: 'ok' })
  t.match(planDiskCheck('/h', 0.5 * G, 10 * G, 'only a little', '512 MiB'), { level: 'warn', message: 'only a little' })
  t.match(planDiskCheck('/h', 50 * 1024 ** 2, 100 * G, 'x', '50 MiB'), { level: 'FAIL', message: /deploys and logs will fail/ })
  t.match(planMemoryCheck('MemTotal:  2000000 kB\nMemAvailable:  1000000 kB\n'), { level: 'ok', message: '977 MiB of 1953 MiB available' })
  t.match(planMemoryCheck('MemTotal:  2000000 kB\nMemAvailable:  50000 kB\n'), { level: 'warn', message: /scale workers down/ })
  t.match(planMemoryCheck(''), { level: 'warn' })
  t.equal(planCertCheck('web', 'none', undefined, undefined, now), undefined)
  t.match(planCertCheck('web', 'acme', '2024-05-31T00:00:00Z', undefined, now), { level: 'FAIL', message: /expired/ })
  t.match(planCertCheck('web', 'acme', '2024-06-05T00:00:00Z', 'DNS problem', now), { level: 'warn', message: /has not been renewed: DNS problem/ })
  t.match(planCertCheck('web', 'acme', '2024-08-01T00:00:00Z', undefined, now), { level: 'ok' })
  t.match(planCertCheck('web', 'self-signed', '2024-06-05T00:00:00Z', undefined, now), { level: 'ok' }, 'a self-signed one is not renewed by ACME')
  t.match(planCertCheck('web', 'acme', '2024-08-01T00:00:00Z', 'rate limited', now), { level: 'warn', message: 'acme, last ACME attempt failed: rate limited' })
  t.match(planCertCheck('web', 'self-signed', undefined, undefined, now), { level: 'ok', message: 'self-signed' })
})

t.test('doctor: edited copies whose stock version changed', async (t) => {
  t.equal(planCopiesCheck('web', []), undefined, 'nothing behind: no line')
  t.same(planCopiesCheck('web', ['hooks/pre-receive', 'templates/nginx/app.conf']), {
    name: 'edits web',
    level: 'warn',
    message: 'the stock version of your edited repos/web/hooks/pre-receive, repos/web/templates/nginx/app.conf changed since: compare each with FILE.stock, merge what you want, then remove FILE.stock (or hooks:reset web FILE)',
  })
})

t.test('doctor: lines and exit code', async (t) => {
  const checks = [
    { name: 'nginx', level: 'ok' as const, message: 'running (pid 1)' },
    { name: 'disk', level: 'warn' as const, message: 'low' },
  ]
  t.equal(renderChecks(checks), 'ok    nginx: running (pid 1)\nwarn  disk: low\n')
  t.equal(doctorExitCode(checks), 0, 'warnings alone pass')
  t.equal(doctorExitCode([...checks, { name: 'uwsgi emperor', level: 'FAIL', message: 'down' }]), 1)
})
