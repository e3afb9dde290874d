import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readHostSettings } from '../../lib/state/host-settings.js'

t.test('readHostSettings: host.env under the root; PIKU_USER, else $USER', async (t) => {
  const root = t.testdir({ 'host.env': 'HTTP_PORT=8080\nPIKU_USER=pi\n' })
  const env = { PIKU_ROOT: process.env.PIKU_ROOT, USER: process.env.USER }
  t.teardown(() => {
    for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v)
  })
  process.env.PIKU_ROOT = root
  process.env.USER = 'someone'
  t.match(readHostSettings(), { user: 'pi', httpPort: 8080, httpsPort: 443 })
  writeFileSync(join(root, 'host.env'), 'HTTP_PORT=81\n')
  t.equal(readHostSettings().user, 'someone')
})

t.test('readHostSettings: no host.env gives the defaults', async (t) => {
  const root = t.testdir({})
  const env = { PIKU_ROOT: process.env.PIKU_ROOT, USER: process.env.USER }
  t.teardown(() => {
    for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v)
  })
  process.env.PIKU_ROOT = root
  delete process.env.USER
  t.match(readHostSettings(), { user: 'piku', httpPort: 80, httpsPort: 443, listen: [] })
})
