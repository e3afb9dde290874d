// key-store: addKey, authorizeKey, removeKey, grantAppToKeys on a real folder, under the keys lock.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { addKey, authorizeKey, grantAppToKeys, readKeyRecords, removeKey, writeFetchAccess } from '../../lib/state/key-store.js'
import { acquireLock, releaseLock } from '../../lib/state/lock.js'

const keyDir = mkdtempSync(join(tmpdir(), 'piku-hooks-keys-'))
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }))
let made = 0

/** A fresh public key line from ssh-keygen. */
function makeKey(type: 'ed25519' | 'rsa' | 'ecdsa', comment: string): string {
  const file = join(keyDir, `id_${type}_${++made}`)
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', comment, '-f', file])
  return readFileSync(`${file}.pub`, 'utf8').trim()
}

t.test('addKey: writes authorized_keys and .keys.json privately, once per key body', async (t) => {
  const home = t.testdir({ config: {} })
  const one = makeKey('ed25519', 'one@host')
  const two = makeKey('ed25519', 'two@host')
  t.same(await addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: true } })
  t.same(await addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: false } })
  t.same(await addKey(home, 'one-host', 'admin', two, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host-2', added: true } })
  const lines = readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8').split('\n').filter(Boolean)
  t.equal(lines.length, 2)
  t.match(lines[1], /^command="\/opt\/piku-ssh one-host-2",restrict,pty ssh-ed25519 \S+ two@host$/)
  t.equal(statSync(join(home, '.ssh')).mode & 0o777, 0o700)
  t.equal(statSync(join(home, '.ssh', 'authorized_keys')).mode & 0o777, 0o600)
  t.equal(statSync(join(home, 'config', '.keys.json')).mode & 0o777, 0o600)
  t.match(readKeyRecords(home), [
    { name: 'one-host', role: 'admin', apps: [], fingerprint: /^SHA256:/ },
    { name: 'one-host-2', role: 'admin', apps: [], fingerprint: /^SHA256:/ },
  ])
  t.match(await addKey(home, 'x', 'admin', 'garbage'), { ok: false })
})

t.test('addKey: keeps lines it did not write and knows keys added by hand', async (t) => {
  const home = t.testdir({ '.ssh': {} })
  const mine = makeKey('ed25519', 'hand')
  writeFileSync(join(home, '.ssh', 'authorized_keys'), `# a note\n${mine}\n`)
  t.same(await addKey(home, 'hand', 'admin', mine, '/opt/piku-ssh'), { ok: true, value: { name: 'hand', added: false } })
  t.equal(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8'), `# a note\n${mine}\n`)
})

t.test('authorizeKey and removeKey: records and lines together, private files', async (t) => {
  const home = t.testdir({ config: {} })
  const boss = makeKey('ed25519', 'boss')
  const ci = makeKey('ed25519', 'ci')
  t.match(await addKey(home, 'boss', 'admin', boss, '/opt/piku-ssh'), { ok: true })
  t.match(await authorizeKey(home, { name: 'ci', role: 'deploy', apps: ['web'] }, ci, '/opt/piku-ssh'), { ok: true, value: { name: 'ci', role: 'deploy', apps: ['web'] } })
  t.match(await authorizeKey(home, { name: 'ci2', role: 'read', apps: ['web'] }, ci, '/opt/piku-ssh'), { ok: false, errors: [/already authorized as "ci"/] })
  t.match(readKeyRecords(home), [{ name: 'boss', role: 'admin' }, { name: 'ci', role: 'deploy', apps: ['web'] }])
  const ak = () => readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')
  t.match(ak(), /^command="\/opt\/piku-ssh ci",restrict,pty ssh-ed25519 /m)
  t.match(await removeKey(home, 'boss', '/opt/piku-ssh'), { ok: false, errors: [/last admin key/] })
  t.match(await removeKey(home, 'ci', '/opt/piku-ssh'), { ok: true, value: { name: 'ci' } })
  t.notMatch(ak(), / ci",/)
  t.match(ak(), / boss",restrict,pty /)
  t.same(readKeyRecords(home).map((r) => r.name), ['boss'])
  t.equal(statSync(join(home, 'config', '.keys.json')).mode & 0o777, 0o600)
  t.equal(statSync(join(home, '.ssh', 'authorized_keys')).mode & 0o777, 0o600)
  writeFileSync(join(home, 'config', '.keys.json'), '[{"name":"x","role":"god"}]')
  t.throws(() => readKeyRecords(home), /role must be one of/)
})

t.test('grantAppToKeys and writeFetchAccess: the grants of restore, the fetch file', async (t) => {
  const home = t.testdir({ config: {} })
  await writeFetchAccess(home)
  t.notOk(existsSync(join(home, 'config', '.keys.fetch')), 'no key list: nothing to write')
  await addKey(home, 'boss', 'admin', makeKey('ed25519', 'boss'), '/opt/piku-ssh')
  const ci = await authorizeKey(home, { name: 'ci', role: 'deploy', apps: ['api'] }, makeKey('ed25519', 'ci'), '/opt/piku-ssh')
  if (!ci.ok) return t.fail('ci')
  t.same(await grantAppToKeys(home, 'web', [ci.value.fingerprint, 'SHA256:gone']), ['ci'])
  t.same(await grantAppToKeys(home, 'web', [ci.value.fingerprint]), [], 'already granted')
  t.match(readKeyRecords(home), [{ name: 'boss' }, { name: 'ci', apps: ['api', 'web'] }])
  t.equal(readFileSync(join(home, 'config', '.keys.fetch'), 'utf8'), 'boss *\nci api web\n')
  rmSync(join(home, 'config', '.keys.fetch'))
  await writeFetchAccess(home)
  t.equal(readFileSync(join(home, 'config', '.keys.fetch'), 'utf8'), 'boss *\nci api web\n')
})

t.test('key store: every write waits for the keys lock', async (t) => {
  const home = t.testdir({ config: {}, run: {} })
  const lock = join(home, 'run', 'keys.lock')
  const holder = 1 // pid 1 is alive: the lock is held, not stale
  await acquireLock(lock, holder, 'test')
  let done = false
  const adding = addKey(home, 'boss', 'admin', makeKey('ed25519', 'boss'), '/opt/piku-ssh').then((r) => {
    done = true
    return r
  })
  await new Promise((r) => setTimeout(r, 400))
  t.notOk(done, 'addKey waits while another writer holds the lock')
  t.notOk(existsSync(join(home, 'config', '.keys.json')))
  releaseLock(lock, holder)
  t.match(await adding, { ok: true, value: { name: 'boss', added: true } })
  t.notOk(existsSync(lock), 'and releases it')
})
