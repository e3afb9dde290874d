import t from 'tap'
import { pickDeployLog } from '../../lib/verbs/logs-deploy.js'

t.test('logs:deploy: the newest kept log by default, by number not by name', async (t) => {
  t.same(pickDeployLog(['v9.log', 'v10.log', 'v2.log', 'watch.log', 'v3.log.old']), { ok: true, value: 'v10' })
})

t.test('logs:deploy: a given release, checked', async (t) => {
  t.same(pickDeployLog(['v1.log', 'v2.log'], 'v1'), { ok: true, value: 'v1' })
  t.same(pickDeployLog(['v1.log', 'v2.log'], 'v7'), { ok: false, errors: ['logs:deploy: no deploy log of v7 is kept (kept: v2, v1)'] })
  t.same(pickDeployLog(['v1.log'], '../../etc/passwd'), { ok: false, errors: ['logs:deploy: "../../etc/passwd" is not a release id (like v3)'] })
  t.same(pickDeployLog([]), { ok: false, errors: ['logs:deploy: no deploy log is kept yet (one is written by every push, deploy and config change)'] })
})
