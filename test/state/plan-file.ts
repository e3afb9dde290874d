// plan-file: the stored plan is its own versioned type. A plan round-trips field for field; today's
// unversioned plans are read (and journal copies migrated); an unknown version is refused with its path.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { checkPlanFile, planFromFile, planToFile, PLAN_FORMAT, PLAN_VERSION } from '../../lib/state/plan-file.js'
import { readPlan, readPlanRecord, writePlan, type ReleasePlan } from '../../lib/state/release.js'
import { writeRecord } from '../../lib/state/activations.js'

/** A plan with every field set, so a field the conversions forget shows. */
const full: ReleasePlan = {
  app: 'web',
  id: 'v3',
  sha: 'a'.repeat(40),
  subject: 'the subject',
  created: '2026-12-04T00:00:00.000Z',
  key: 'admin',
  reason: 'push',
  dir: '/home/p/apps/web/releases/v3',
  env: { PORT: '5000', NODE_ENV: 'production' },
  processes: [
    { kind: 'web', role: 'web', command: 'node server.js', count: 2 },
    { kind: 'clock', role: 'cron', command: 'echo tick', count: 1, cron: ['-5 -1 -1 -1 -1'] },
  ],
  serverNames: ['web.example.org'],
  statics: [{ url: '/static/', dir: '/home/p/apps/web/releases/v3/public/' }],
  catchAll: '/index.html',
  allowGitFolders: false,
  nginx: {
    httpsOnly: true,
    cache: { prefixes: ['api'], sizeGb: 1, timeS: 60, redirectsS: 3600, anyS: 3600, controlS: 0, expiryS: 86400, path: '/home/p/cache/web/nginx' },
    includeFile: 'nginx.inc',
    cloudflareAcl: true,
    disableIpv6: false,
    maxBody: '10m',
    proxyReadTimeoutS: 30,
    proxySendTimeoutS: 30,
    hsts: { maxAgeS: 31536000, subdomains: true },
  },
  settings: { processes: 2, threads: 4, maxRequests: 1024, listen: 100, enableThreads: true, logMaxSize: 1048576, idle: 60, gevent: 100, include: [['harakiri', '30']] },
  health: { path: '/health', timeoutMs: 30000, status: [[200, 399]], content: 'ok' },
  autoRestart: false,
  sitePackages: '/home/p/deps/web/py-1/lib/python3.11/site-packages',
  jvmClasspath: ['/home/p/apps/web/releases/v3/target/app.jar'],
  depsDir: '/home/p/deps/web/node-abc',
  keep: 5,
  memory: { web: { bytes: 268435456, key: 'PIKU_MEMORY', value: '256M' } },
}

function host(t: Test): string {
  const root = t.testdir({})
  const before = process.env.PIKU_ROOT
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (before === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = before
  })
  mkdirSync(join(root, 'apps', 'web', 'releases', 'v3'), { recursive: true })
  return root
}

/** What log.warn writes while `fn` runs. */
function warnings(fn: () => void): string {
  const write = process.stderr.write
  let out = ''
  process.stderr.write = ((chunk: string) => {
    out += chunk
    return true
  }) as typeof process.stderr.write
  try {
    fn()
  } finally {
    process.stderr.write = write
  }
  return out
}

t.test('plan-file: a plan round-trips field for field, and is stored with its format and version', async (t) => {
  const stored = planToFile(full)
  t.equal(stored.format, PLAN_FORMAT)
  t.equal(stored.version, PLAN_VERSION)
  t.same(planFromFile(stored), full)
  const minimal = { ...full }
  for (const k of ['catchAll', 'nginx', 'autoRestart', 'sitePackages', 'jvmClasspath', 'depsDir', 'memory'] as const) delete minimal[k]
  t.same(planFromFile(planToFile(minimal)), minimal, 'absent fields stay absent')
  t.notOk('memory' in planToFile(minimal))
})

t.test('plan-file: writePlan stores version 1 in releases/vN.json; readPlan gives the same plan back', async (t) => {
  const root = host(t)
  writePlan(full)
  const f = join(root, 'apps', 'web', 'releases', 'v3.json')
  const onDisk = JSON.parse(readFileSync(f, 'utf8'))
  t.match(onDisk, { format: 'piku-hooks-plan', version: 1, id: 'v3' })
  t.same(readPlan('web', 'v3'), full)
})

t.test('plan-file: an unversioned plan (every older toolkit) is read as it is', async (t) => {
  const root = host(t)
  const old: Record<string, unknown> = { ...full }
  writeFileSync(join(root, 'apps', 'web', 'releases', 'v3.json'), JSON.stringify(old, null, 2))
  t.same(readPlan('web', 'v3'), full)
  t.same(checkPlanFile(old), { value: { ...old, format: PLAN_FORMAT, version: 1 } })
})

t.test('plan-file: an unknown version is refused with its path, never misread; the journal copy is used instead', async (t) => {
  const root = host(t)
  const f = join(root, 'apps', 'web', 'releases', 'v3.json')
  writeFileSync(f, JSON.stringify({ ...planToFile(full), version: 2 }))
  t.match(readPlanRecord('web', 'v3'), { state: 'damaged', why: /plan format version 2, which this toolkit does not know/ })
  let plan: ReleasePlan | undefined
  const said = warnings(() => (plan = readPlan('web', 'v3')))
  t.equal(plan, undefined, 'no copy: no plan')
  t.match(said, `${f} is damaged (plan format version 2`)
  t.match(said, 'no copy in the activation journal; push again to rebuild it')

  writeRecord({ app: 'web', token: 'v3-abc', release: 'v3', ports: {}, vassals: [], state: 'switched', started: 's', plan: planToFile(full) })
  t.same(readPlan('web', 'v3'), full, 'the journal copy')
  writeFileSync(f, JSON.stringify({ format: 'something-else', version: 1, processes: [] }))
  t.match(readPlanRecord('web', 'v3'), { state: 'damaged', why: 'not a release plan (format "something-else")' })
  writeFileSync(f, JSON.stringify({ format: PLAN_FORMAT, version: 1 }))
  t.match(readPlanRecord('web', 'v3'), { state: 'damaged', why: 'not a release plan (no processes)' })
  writeFileSync(f, '[1]')
  t.match(readPlanRecord('web', 'v3'), { state: 'damaged', why: 'not a release plan (no processes)' })
  writeFileSync(f, '7')
  t.match(readPlanRecord('web', 'v3'), { state: 'damaged', why: 'not a release plan' })
  t.match(readPlanRecord('web', 'v9'), { state: 'missing' })
})
