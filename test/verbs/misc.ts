import t from 'tap'
import { mergeScaling } from '../../lib/verbs/ps-scale.js'
import { planDestroy } from '../../lib/verbs/destroy.js'
import { appPaths } from '../../lib/state/paths.js'

t.test('ps:scale: changes merged over the saved counts, order kept', async (t) => {
  t.same(Object.entries(mergeScaling({ web: 1, worker: 3 }, { worker: 2, cron: 0 })), [['web', 1], ['worker', 2], ['cron', 0]])
})

t.test('destroy: everything of the app, the repo last, data only when asked', async (t) => {
  const p = appPaths('a', '/home/u')
  t.same(planDestroy(p, false), ['/home/u/apps/a', '/home/u/config/a', '/home/u/deps/a', '/home/u/logs/a', '/home/u/cache/a', '/home/u/nginx/a.conf', '/home/u/auth/a.htpasswd', '/home/u/certs/a', '/home/u/repos/a'])
  t.ok(planDestroy(p, true).includes('/home/u/data/a'))
  t.notOk(planDestroy(appPaths('a', '/home/u'), true).some((x) => x.includes('/ab')), 'nothing of another app')
})
