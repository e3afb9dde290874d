// hook-scripts: the .d scripts of a hook run in name order with git's ref lines on stdin; a script that
// exits without reading its stdin is not an error of the hook (the pipe it closed is not ours to fail on).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

t.test('post-receive.d: scripts run in order; one that never reads its stdin does not break the hook', async (t) => {
  const root = t.testdir({})
  process.env.PIKU_ROOT = root
  t.teardown(() => void delete process.env.PIKU_ROOT)
  const { hostPaths } = await import('../../lib/state/paths.js')
  const dir = join(hostPaths().hooks, 'post-receive.d')
  mkdirSync(dir, { recursive: true })
  const ran = join(root, 'ran.log')
  writeFileSync(join(dir, '10-ignores-stdin'), `#!/bin/sh\necho first >> ${ran}\nexit 0\n`)
  writeFileSync(join(dir, '20-reads-stdin'), `#!/bin/sh\nwc -l >> ${ran}\n`)
  for (const f of ['10-ignores-stdin', '20-reads-stdin']) chmodSync(join(dir, f), 0o755)
  const { runHookScripts } = await import('../../lib/deploy/hook-scripts.js')
  // far more than a pipe holds, so the write to the script that ignores it meets a closed pipe
  const input = 'a'.repeat(80) + ' b refs/heads/main\n'
  const lines = 20000
  await runHookScripts('post-receive', 'app', { cwd: root, input: input.repeat(lines), env: {} })
  t.same(readFileSync(ran, 'utf8').trim().split('\n').map((l) => l.trim()), ['first', String(lines)])
})
