import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'

t.test('app-state: stopped is recorded and cleared (file removed when empty)', async (t) => {
  const root = t.testdir({ config: { app: {} } })
  process.env.PIKU_ROOT = root
  const { readAppState, writeStopped } = await import('../../lib/state/app-state.js')
  t.same(readAppState('app'), {})
  writeStopped('app', true)
  t.same(JSON.parse(readFileSync(`${root}/config/app/state.json`, 'utf8')), { stopped: true })
  t.same(readAppState('app'), { stopped: true })
  writeStopped('app', false)
  t.notOk(existsSync(`${root}/config/app/state.json`))
  writeStopped('app', false)
  t.same(readAppState('app'), {})
})
