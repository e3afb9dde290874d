// paths: within/joinWithin keep paths built from names inside their root; appPaths refuses bad names.
import t from 'tap'
import { activationDir, activationsRunRoot, appPaths, instanceFilePrefix, joinWithin, launcherName, memoryScriptName, parseVassalName, releaseDir, vassalName, within, workerLogName, wsgiEnvName } from '../../lib/state/paths.js'

t.test('within: inside, the root itself, and every way out', async (t) => {
  t.ok(within('/home/p/apps', '/home/p/apps/web'))
  t.ok(within('/home/p/apps', '/home/p/apps'))
  t.ok(within('/home/p/apps/', '/home/p/apps/web/releases/v1'))
  t.ok(within('/home/p/apps', '/home/p/apps/a/../b'), 'a/../b stays inside')
  t.notOk(within('/home/p/apps', '/home/p/apps/..'))
  t.notOk(within('/home/p/apps', '/home/p/apps/../config/web'))
  t.notOk(within('/home/p/apps', '/home/p/apps-other'), 'a sibling with the same prefix is outside')
  t.notOk(within('/home/p/apps', '/etc/passwd'))
  t.ok(within('/', '/'), 'the root / contains itself')
  t.ok(within('/', '/etc'))
})

t.test('joinWithin: joins, or throws when a part leaves the root or names it', async (t) => {
  t.equal(joinWithin('/r', 'web'), '/r/web')
  t.equal(joinWithin('/r', 'web', 'v1.json'), '/r/web/v1.json')
  for (const bad of ['..', '../x', '.', '', 'a/../..', '/../etc']) t.throws(() => joinWithin('/r', bad), /leaves \/r/, JSON.stringify(bad))
  t.equal(joinWithin('/r', '/etc/passwd'), '/r/etc/passwd', 'join keeps an absolute part inside')
})

t.test('appPaths and releaseDir: only validated names, every path inside its root', async (t) => {
  const p = appPaths('web', '/home/p')
  t.equal(p.repo, '/home/p/repos/web')
  t.equal(p.env, '/home/p/config/web/ENV')
  t.equal(p.lock, '/home/p/run/web.lock')
  t.equal(appPaths('_x.y-z', '/home/p').home, '/home/p/apps/_x.y-z', 'the app-name grammar, not a second one')
  for (const bad of ['..', '.', '../x', 'a/b', '/etc/passwd', '-rf', '', 'a;b', '%2e%2e', 'a b', 'é']) {
    t.throws(() => appPaths(bad, '/home/p'), /invalid app name/, JSON.stringify(bad))
  }
  t.equal(releaseDir('web', 'v3', '/home/p'), '/home/p/apps/web/releases/v3')
  t.throws(() => releaseDir('web', '../../config', '/home/p'), /leaves/)
  t.throws(() => releaseDir('web', '..', '/home/p'), /leaves/)
})

t.test('paths: vassal names and the files of an instance, one spelling each', async (t) => {
  t.equal(vassalName('web', 'v3-lx9', 'worker', 2), 'web@v3-lx9@worker.2.ini')
  t.same(parseVassalName(vassalName('web', 'v3-lx9', 'worker', 2)), { app: 'web', token: 'v3-lx9', kind: 'worker', n: 2 })
  for (const bad of ['web@v3@worker.2.ini.tmp', '@piku-hooks-renew.ini', 'web@v3@2.ini', 'web@worker.1.ini']) t.equal(parseVassalName(bad), undefined, bad)
  t.equal(activationsRunRoot('web', '/home/p'), '/home/p/apps/web/run')
  t.equal(activationDir('web', 'v3-lx9', '/home/p'), '/home/p/apps/web/run/v3-lx9')
  for (const name of [launcherName('web', 1), wsgiEnvName('web', 1), memoryScriptName('web', 1)]) t.ok(name.startsWith(instanceFilePrefix('web', 1)), name)
  t.same([launcherName('web', 1), wsgiEnvName('web', 1), memoryScriptName('web', 1), workerLogName('web', 1)], ['web.1.sh', 'web.1.json', 'web.1.memory.sh', 'web.1.log'])
})

t.test('paths: every record and folder of an app comes from here, names kept inside their folder', async (t) => {
  const { releasePlanPath, certDir, certFiles, vassalFile, activationFile, activationNginx, activationNginxNext, activationRecord, workerLogPath, hookScriptDirs } = await import('../../lib/state/paths.js')
  const p = appPaths('web', '/home/p')
  t.equal(p.active, '/home/p/apps/web/active.json')
  t.equal(p.staged, '/home/p/apps/web/staged')
  t.equal(p.history, '/home/p/apps/web/history.jsonl')
  t.equal(p.watchLog, '/home/p/logs/web/watch.log')
  t.equal(p.certState, '/home/p/certs/web/state.json')
  t.equal(p.certsLock, '/home/p/run/web.certs.lock')
  t.equal(releasePlanPath('web', 'v3', '/home/p'), '/home/p/apps/web/releases/v3.json')
  t.throws(() => releasePlanPath('web', '../../x', '/home/p'), /leaves/)
  t.equal(certDir('web', 'self-signed', '/home/p'), '/home/p/certs/web/self-signed')
  t.throws(() => certDir('web', '..', '/home/p'), /leaves/)
  t.same(certFiles('/c/live'), { cert: '/c/live/fullchain.pem', key: '/c/live/key.pem' })
  t.equal(vassalFile('web@v1-a@web.1.ini', '/home/p'), '/home/p/uwsgi/vassals/web@v1-a@web.1.ini')
  t.throws(() => vassalFile('../x', '/home/p'), /leaves/)
  t.equal(activationFile('web', 'v1-a', 'web.1.sh', '/home/p'), '/home/p/apps/web/run/v1-a/web.1.sh')
  t.throws(() => activationFile('web', '../v1-a', 'x', '/home/p'), /leaves/)
  t.equal(activationNginx('web', 'v1-a', '/home/p'), '/home/p/apps/web/run/v1-a/nginx.conf')
  t.equal(activationNginxNext('web', 'v1-a', '/home/p'), '/home/p/apps/web/run/v1-a/nginx.conf.next')
  t.equal(activationRecord('web', 'v1-a', '/home/p'), '/home/p/apps/web/activations/v1-a.json')
  t.equal(workerLogPath('web', 'web', 2, '/home/p'), '/home/p/logs/web/web.2.log')
  t.same(hookScriptDirs('web', 'pre-receive', '/home/p'), ['/home/p/hooks/pre-receive.d', '/home/p/repos/web/hooks/pre-receive.d'])
})
