// runtime/build: the pure-ish helpers of the builders (tool lookup, python choice, dependency hashes).
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { findTool, hashFiles, planBuildNodeOptions, planLowPriority, pythonFor, requireTool } from '../../../lib/deploy/runtime/build.js'

t.test('findTool: the first executable on PATH, skipping non-executables and empty entries', async (t) => {
  const dir = t.testdir({ a: { tool: 'plain file' }, b: { tool: '#!/bin/sh\n' } })
  chmodSync(join(dir, 'b', 'tool'), 0o755)
  t.equal(findTool('tool', `::${join(dir, 'a')}:${join(dir, 'b')}`), join(dir, 'b', 'tool'))
  t.equal(findTool('nope', join(dir, 'b')), undefined)
  t.equal(findTool('tool', ''), undefined)
})

t.test('requireTool: names the file that asked for it and what provides it', async (t) => {
  t.equal(requireTool('sh', { PATH: '/usr/bin:/bin' }, 'x', 'y').endsWith('/sh'), true)
  t.throws(() => requireTool('no-such-tool-here', { PATH: '/usr/bin:/bin' }, 'go.mod', "install Debian's golang-go"), {
    name: 'UserError',
    message: 'go.mod needs "no-such-tool-here", which is not installed on this host (install Debian\'s golang-go); the running release is unchanged',
  })
  t.throws(() => requireTool('sh', {}, 'Gemfile', 'z'), /Gemfile needs "sh"/)
})

t.test('pythonFor: Debian\'s /usr/bin/python3 by default, pythonX.Y when it exists, clear errors otherwise', async (t) => {
  t.equal(pythonFor(undefined), '/usr/bin/python3')
  t.equal(pythonFor(''), '/usr/bin/python3')
  t.equal(pythonFor('3'), '/usr/bin/python3')
  t.throws(() => pythonFor('3.4'), { message: 'PYTHON_VERSION=3.4: /usr/bin/python3.4 is not installed on this host' })
  for (const bad of ['2', '3.x', 'python3', '3.11; rm', '/usr/bin/python3']) t.throws(() => pythonFor(bad), /expected 3 or 3\.N/, bad)
})

t.test('hashFiles: changes with content, names and the extra key; missing files count as absent', async (t) => {
  const dir = t.testdir({ 'requirements.txt': 'flask\n', 'a.whl': 'x' })
  const h = hashFiles(dir, ['requirements.txt'])
  t.match(h, /^[0-9a-f]{16}$/)
  t.equal(hashFiles(dir, ['requirements.txt']), h, 'stable')
  t.not(hashFiles(dir, ['requirements.txt'], '/usr/bin/python3.11'), h, 'the interpreter is part of the key')
  t.not(hashFiles(dir, ['requirements.txt', 'a.whl']), h, 'a local wheel is part of the key')
  t.not(hashFiles(dir, ['requirements.txt', 'uv.lock']), h, 'a named but missing file still changes the key')
  writeFileSync(join(dir, 'requirements.txt'), 'flask==3\n')
  t.not(hashFiles(dir, ['requirements.txt']), h)
})

t.test('planLowPriority: builds run under nice -n 10 and ionice -c3 -t, each only where it exists', async (t) => {
  t.same(planLowPriority('npm', ['ci'], { nice: '/usr/bin/nice', ionice: '/usr/bin/ionice' }), ['/usr/bin/nice', ['-n', '10', '/usr/bin/ionice', '-c3', '-t', 'npm', 'ci']])
  t.same(planLowPriority('npm', ['ci'], { nice: '/usr/bin/nice' }), ['/usr/bin/nice', ['-n', '10', 'npm', 'ci']])
  t.same(planLowPriority('go', ['build', './...'], { ionice: '/bin/ionice' }), ['/bin/ionice', ['-c3', '-t', 'go', 'build', './...']])
  t.same(planLowPriority('cargo', ['fetch'], {}), ['cargo', ['fetch']])
})

t.test('planBuildNodeOptions: a small host bounds the package manager\'s heap; the app\'s NODE_OPTIONS come last', async (t) => {
  const MB = 1048576
  t.equal(planBuildNodeOptions(256 * MB), '--max-semi-space-size=1 --max-old-space-size=64')
  t.equal(planBuildNodeOptions(1024 * MB), '--max-semi-space-size=1 --max-old-space-size=256')
  t.equal(planBuildNodeOptions(128 * MB), '--max-semi-space-size=1 --max-old-space-size=64', 'never below 64 MB')
  t.equal(planBuildNodeOptions(4096 * MB), '', 'a big host: Node decides')
  t.equal(planBuildNodeOptions(4096 * MB, ' --enable-source-maps '), '--enable-source-maps')
  t.equal(planBuildNodeOptions(512 * MB, '--max-old-space-size=300'), '--max-semi-space-size=1 --max-old-space-size=128 --max-old-space-size=300')
})
