// hook-scripts: which .d files run and in which order; PIKU_HOOK_TIMEOUT.
import t from 'tap'
import { isLeftover, orderHookScripts, parseHookTimeout } from '../../lib/parse/hook-scripts.js'

t.test('orderHookScripts: name order, editor leftovers and our side files skipped', async (t) => {
  const names = ['20-notify', '10-gate', '10-gate~', '.#10-gate', '.10-gate.swp', '10-gate.swp', '10-gate.orig', 'x.rej', 'x.bak', 'pre.stock', 'pre.edited-20261202T071500Z', 'B', 'a', '05']
  t.same(orderHookScripts(names), ['05', '10-gate', '20-notify', 'B', 'a'])
  t.ok(isLeftover('.hidden'))
  t.notOk(isLeftover('backup-db'))
})

t.test('parseHookTimeout: whole seconds 1-3600, default 120', async (t) => {
  t.same(parseHookTimeout(undefined), { ok: true, value: 120 })
  t.same(parseHookTimeout(' '), { ok: true, value: 120 })
  t.same(parseHookTimeout('5'), { ok: true, value: 5 })
  for (const bad of ['0', '3601', '1.5', '-1', 'ten', '1e3']) {
    const r = parseHookTimeout(bad)
    t.notOk(r.ok, bad)
    if (!r.ok) t.match(r.errors[0], /^PIKU_HOOK_TIMEOUT=".*": give whole seconds, 1 to 3600/)
  }
})
