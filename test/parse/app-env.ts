// app-env: base < the repo's ENV < config:set values; reserved names cannot be changed; per-process PORT.
import t from 'tap'
import { baseEnv, composeAppEnv, processEnv, RESERVED, SYSTEM_PATH, type EnvInputs } from '../../lib/parse/app-env.js'

const inputs: EnvInputs = { app: 'web', release: 'v3', home: '/h', user: 'piku', dataRoot: '/h/data/web', cacheRoot: '/h/cache/web', logRoot: '/h/logs/web' }

t.test('baseEnv: what every app gets, the runtime first on PATH', async (t) => {
  const b = baseEnv({ ...inputs, runtimePath: ['/v/bin', '/n/.bin'] })
  t.match(b, { APP: 'web', HOME: '/h', USER: 'piku', LOGNAME: 'piku', DATA_ROOT: '/h/data/web', BIND_ADDRESS: '127.0.0.1', PIKU_RELEASE: 'v3', LANG: 'C.UTF-8' })
  t.equal(b.PATH, `/v/bin:/n/.bin:${SYSTEM_PATH}`)
  t.equal(baseEnv(inputs).PATH, SYSTEM_PATH)
})

t.test('composeAppEnv: config:set wins over ENV, which wins over the base', async (t) => {
  const r = composeAppEnv({ ...inputs, repoEnv: 'A=repo\nB=repo\nLANG=en_GB.UTF-8\nP=$PATH:/x\n', configEnv: 'B=config\nC=$A-$B\n' })
  if (!r.ok) return t.fail(r.errors.join())
  t.match(r.value.env, { A: 'repo', B: 'config', C: 'repo-config', LANG: 'en_GB.UTF-8', P: `${SYSTEM_PATH}:/x`, APP: 'web' })
  t.same(r.value.warnings, [])
  const none = composeAppEnv(inputs)
  t.same(none.ok && none.value.env, baseEnv(inputs), 'no ENV files: the base alone')
})

t.test('composeAppEnv: reserved names are kept, with a warning naming the file', async (t) => {
  t.ok(RESERVED.has('PORT') && RESERVED.has('APP') && RESERVED.has('DATA_ROOT'))
  const r = composeAppEnv({ ...inputs, repoEnv: 'PORT=1\nAPP=other\n', configEnv: 'DATA_ROOT=/etc\nPIKU_RELEASE=x\n' })
  if (!r.ok) return t.fail(r.errors.join())
  t.match(r.value.env, { APP: 'web', DATA_ROOT: '/h/data/web', PIKU_RELEASE: 'v3' })
  t.notOk('PORT' in r.value.env)
  t.match(r.value.warnings, [/^ENV: PORT is set by piku-hooks/, /^ENV: APP /, /^config: DATA_ROOT /, /^config: PIKU_RELEASE /])
})

t.test('composeAppEnv: a bad line names its file and line', async (t) => {
  t.match(composeAppEnv({ ...inputs, repoEnv: 'A=1\nnope\n' }), { ok: false, errors: [/^ENV:2: expected KEY=VALUE/] })
  t.match(composeAppEnv({ ...inputs, configEnv: 'A="x\n' }), { ok: false, errors: [/^config \(config:set values\):1: /] })
})

t.test('processEnv: PROC_TYPE always, PORT for web workers', async (t) => {
  t.same(processEnv({ A: '1' }, 'web', 20001), { A: '1', PROC_TYPE: 'web', PORT: '20001' })
  t.same(processEnv({ A: '1' }, 'worker'), { A: '1', PROC_TYPE: 'worker' })
})

t.test('composeAppEnv: a pushed ENV may not widen the sandbox; config:set may', async (t) => {
  const inputs = { app: 'a', release: 'v1', home: '/h', user: 'piku', dataRoot: '/h/data/a', cacheRoot: '/h/cache/a', logRoot: '/h/logs/a' }
  const refused = composeAppEnv({ ...inputs, repoEnv: 'A=1\nexport PIKU_SANDBOX_BIND=/home\n' })
  t.notOk(refused.ok)
  if (!refused.ok) t.same(refused.errors, ["ENV:2: PIKU_SANDBOX_BIND widens the app's sandbox: pushed code cannot set it; an admin can, with config:set"])
  const admin = composeAppEnv({ ...inputs, configEnv: 'PIKU_SANDBOX_BIND=/dev/gpiomem\n' })
  t.ok(admin.ok && admin.value.env.PIKU_SANDBOX_BIND === '/dev/gpiomem')
})
