// bin/piku-ssh: `git-upload-pack` for a key that may read the app reaches git without starting Node;
// everything else is handed to Node (here a stand-in `node` on PATH that records that it ran).
import t, { type Test } from 'tap'
import { spawnSync, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, writeFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { renderFetchAccess } from '../../lib/parse/access.js'

const script = fileURLToPath(new URL('../../bin/piku-ssh', import.meta.url))

function setup(t: Test) {
  const root = t.testdir({ config: {}, fakebin: {} })
  execFileSync('git', ['init', '-q', '--bare', join(root, 'repos', 'myapp')])
  writeFileSync(
    join(root, 'config', '.keys.fetch'),
    renderFetchAccess([
      { name: 'boss', role: 'admin', apps: [], fingerprint: 'x' },
      { name: 'ci', role: 'deploy', apps: ['myapp'], fingerprint: 'y' },
      { name: 'eye', role: 'read', apps: ['other'], fingerprint: 'z' },
    ]),
  )
  const marker = join(root, 'node-ran')
  writeFileSync(join(root, 'fakebin', 'node'), `#!/bin/sh\necho "$@" > '${marker}'\nexit 97\n`)
  chmodSync(join(root, 'fakebin', 'node'), 0o755)
  const call = (key: string, command: string) => {
    rmSync(marker, { force: true })
    const r = spawnSync('sh', [script, key], {
      input: '0000', // a flush packet: git-upload-pack advertises its refs and ends
      encoding: 'utf8',
      env: { PATH: `${join(root, 'fakebin')}:/usr/bin:/bin`, HOME: root, PIKU_ROOT: root, SSH_ORIGINAL_COMMAND: command },
    })
    return { code: r.status, stdout: r.stdout, nodeRan: existsSync(marker) }
  }
  return { root, call }
}

t.test('piku-ssh: the fetch path skips Node for keys that may read the app', async (t) => {
  const { call } = setup(t)
  for (const [key, cmd] of [
    ['boss', "git-upload-pack 'myapp'"],
    ['boss', "git-upload-pack '/myapp.git'"],
    ['ci', "git-upload-pack 'myapp'"],
  ]) {
    const r = call(key, cmd)
    t.equal(r.nodeRan, false, `${key}: ${cmd}: node not started`)
    t.equal(r.code, 0, `${key}: ${cmd}: git answered`)
  }
})

t.test('piku-ssh: everything else goes to Node', async (t) => {
  const { call } = setup(t)
  for (const [key, cmd] of [
    ['eye', "git-upload-pack 'myapp'"], // a key without the app: Node refuses it with a message
    ['nobody', "git-upload-pack 'myapp'"],
    ['boss', "git-upload-pack 'nosuch'"],
    ['boss', "git-upload-pack '../myapp'"],
    ['boss', "git-upload-pack '.hidden'"],
    ['boss', "git-upload-pack 'my app'"],
    ['boss', "git-upload-pack 'myapp' --extra"],
    ['boss', "git-receive-pack 'myapp'"],
    ['boss', 'apps'],
  ]) {
    const r = call(key, cmd)
    t.equal(r.nodeRan, true, `${key}: ${cmd}: handed to Node`)
    t.equal(r.code, 97)
  }
})

t.test('piku-ssh: keys.fetch lines name admin keys with * and others with their apps', async (t) => {
  t.equal(
    renderFetchAccess([
      { name: 'a', role: 'admin', apps: [], fingerprint: '' },
      { name: 'b', role: 'read', apps: ['x', 'y'], fingerprint: '' },
      { name: 'c', role: 'deploy', apps: [], fingerprint: '' },
    ]),
    'a *\nb x y\nc\n',
  )
})
